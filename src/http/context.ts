// The Hono environment every route shares: bindings, the parsed config, and what the
// authentication middleware learned about the caller.
import type { Config } from '../config.js';

export interface AppVariables {
  config: Config;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
