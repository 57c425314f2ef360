// The Hono environment every route shares: bindings, the parsed config, and what the
// authentication middleware learned about the caller.
import type { Config } from '../config.js';
import type { Requester } from '../services/sessions.js';

export type { Requester };


export interface AppVariables {
  config: Config;
  auth: Requester;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
