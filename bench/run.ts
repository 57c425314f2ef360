// `npm run bench`: starts local servers (wrangler dev, fresh state each), runs every benchmark
// and prints the figures as tables with the machine they were measured on.
import { startServer } from '../test/support/server.js';
import { benchAccounts } from './accounts.js';
import { benchMedia } from './media.js';
import { benchRooms } from './rooms.js';
import { machine, printTable } from './support.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`# Cirrus benchmarks\n\nMachine: ${machine()}`);

const limited = await startServer({ vars: { RATE_LIMIT_REGISTER: '1000000/1s', RATE_LIMIT_LOGIN: '1000000/1s' } });
const unlimited = await startServer({ vars: { RATE_LIMIT_REGISTER: 'off', RATE_LIMIT_LOGIN: 'off' } });
try {
  if (wanted('accounts')) printTable('Accounts', await benchAccounts(limited, unlimited));
  if (wanted('media')) printTable('Media', await benchMedia(unlimited.baseUrl));
  if (wanted('rooms')) printTable('Rooms: sending into one room over HTTP', await benchRooms(unlimited.baseUrl));
} finally {
  await limited.stop({ wipe: true });
  await unlimited.stop({ wipe: true });
}
