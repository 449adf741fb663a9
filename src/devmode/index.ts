/**
 * Development and CI conveniences (issue 9): seed files, export, reset, the start-up banner. The
 * permissive and report-only levels themselves live on the request path (authn/resolve.ts,
 * server/dispatch.ts); this part supplies what they need.
 */
export {
  parseSeed,
  formatProblem,
  formatPath,
  SeedError,
  type ParsedSeed,
  type Seed,
  type SeedAccount,
  type SeedProblem,
  type SeedPath,
  type Locate,
} from './seed.js';
export { applySeed, applySeedIn, type SeedDeps, type SeedSummary } from './apply.js';
export { exportSeed, formatSeed, type ExportOptions } from './export.js';
export {
  captureBaseline,
  ensureAccount,
  makeResetHandler,
  resetStore,
  type Baseline,
  type ResetAnswer,
  type ResetCall,
  type ResetDeps,
} from './reset.js';
export { authBanner, isDevLevel } from './banner.js';
