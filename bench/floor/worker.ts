// The platform floor: what requests of a send's shape cost on the local runtime when the
// Worker does no work of its own. bench/rooms.ts compares Cirrus's PUT /send with these.
//   GET  /plain     a response, no I/O
//   GET  /do        one Durable Object RPC that does nothing
//   GET  /d1        one D1 read
//   PUT  /d1-do     one D1 read, then one Durable Object RPC that inserts the body in SQLite
import { DurableObject } from 'cloudflare:workers';

interface Env {
  DB: D1Database;
  FLOOR: DurableObjectNamespace<FloorObject>;
}

export class FloorObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  }

  ping(): number {
    return 1;
  }

  insert(body: string): number {
    return this.ctx.storage.sql.exec<{ id: number }>('INSERT INTO rows (body) VALUES (?) RETURNING id', body).one().id;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    const object = () => env.FLOOR.get(env.FLOOR.idFromName('room'));
    switch (pathname) {
      case '/plain':
        return Response.json({ ok: true });
      case '/do':
        return Response.json({ ok: await object().ping() });
      case '/d1':
        return Response.json(await env.DB.prepare('SELECT 1 AS ok').first());
      case '/d1-do': {
        const row = await env.DB.prepare('SELECT 1 AS ok').first<{ ok: number }>();
        if (!row) return new Response('no row', { status: 500 });
        return Response.json({ id: await object().insert(await request.text()) });
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
