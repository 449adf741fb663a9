/**
 * iamd as a library (the package's main export): start a server from a configuration, and the policy
 * engine, which is also published on its own as `iamd/policy` (pure, no I/O).
 *
 * Where things live (README "Code map"): `core`, `errors` → `policy`, `sigv4`, `protocol`,
 * `credentials`, `store` → `domain` → `authn`, `authz`, `audit`, `explain`, `analysis` → handlers
 * (`iam`, `sts`) → `server` (the one request pipeline) → `cli`; `main.ts` composes them.
 */
export { startServer, type RunningServer } from './main.js';
export { loadConfig, ConfigError, type Config } from './config/index.js';
export * from './policy/index.js';
