// Thin typed helpers over the User object's synchronous SQLite (the room object's, reused).
export { all, first, run, jsonList, type Sql } from '../../room/store/sql.js';
