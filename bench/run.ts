// `npm run bench`: starts local servers (wrangler dev, fresh state each), runs every benchmark
// and prints the figures as tables with the machine they were measured on. Arguments pick
// sections: accounts, media, rooms, sync, rooms-large (e.g. `npm run bench -- rooms rooms-large`).
import { startServer } from '../test/support/server.js';
import { benchAccounts } from './accounts.js';
import { benchMedia } from './media.js';
import { startFloorWorker } from './floor.js';
import { benchRooms } from './rooms.js';
import { benchRoomsDo } from './rooms-do.js';
import { benchSync } from './sync.js';
import { machine, printTable } from './support.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`# Cirrus benchmarks\n\nMachine: ${machine()}`);

// Benchmarks over HTTP against wrangler dev.
if (['accounts', 'media', 'rooms', 'sync'].some(wanted)) {
  const limited = await startServer({ vars: { RATE_LIMIT_REGISTER: '1000000/1s', RATE_LIMIT_LOGIN: '1000000/1s' } });
  const unlimited = await startServer({ vars: { RATE_LIMIT_REGISTER: 'off', RATE_LIMIT_LOGIN: 'off' } });
  try {
    if (wanted('accounts')) printTable('Accounts', await benchAccounts(limited, unlimited));
    if (wanted('media')) printTable('Media', await benchMedia(unlimited.baseUrl));
    if (wanted('rooms')) {
      const floor = await startFloorWorker();
      try {
        printTable('Rooms: sending into one room over HTTP', await benchRooms(unlimited.baseUrl, {}, floor.baseUrl));
      } finally {
        await floor.stop();
      }
    }
    if (wanted('sync')) printTable('Sync: wake-up, initial and incremental /sync over HTTP', await benchSync(unlimited.baseUrl));
  } finally {
    await limited.stop({ wipe: true });
    await unlimited.stop({ wipe: true });
  }
}

// State resolution (pure core, Node) and large rooms inside the Room object (workerd, through
// bench/vitest.rooms-do.config.ts), with no server running: about 2-3 minutes, most of it
// seeding a 50,000-member and a 200,000-event room. Alone: `npm run bench -- rooms-large`.
if (wanted('rooms-large')) for (const [title, rows] of await benchRoomsDo()) printTable(title, rows);
