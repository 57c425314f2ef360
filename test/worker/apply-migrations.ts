import { applyD1Migrations, env } from 'cloudflare:test';

// Each test file starts from the real schema in migrations/, applied to its own local D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
