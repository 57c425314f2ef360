// Cirrus Worker entry: routes every request through the Hono app, and exports the Durable
// Object classes wrangler.toml declares.
import { createApp } from './http/app.js';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

export { RateLimiter } from '../durable-objects/rate-limiter.js';
export { Room } from '../durable-objects/room/room.js';
export { User } from '../durable-objects/user/user.js';
