// Cirrus Worker entry: routes every request through the Hono app.
import { createApp } from './http/app.js';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
