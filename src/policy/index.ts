/**
 * iamd's policy engine (package export `iamd/policy`): validate, compile, evaluate and explain AWS
 * IAM policies. Pure: no I/O, no clock, no randomness.
 */
export type {
  CompiledPolicy,
  ContextValue,
  Decision,
  DecisionKind,
  EvaluateOptions,
  EvaluationRequest,
  Mismatch,
  PolicyProblem,
  PolicySet,
  PolicySource,
  PolicyType,
  RequestPrincipal,
  ResourceGrant,
  StatementInfo,
  StatementMatch,
  StatementNonMatch,
} from './types.js';
export { validatePolicy, MESSAGES, type ValidateOptions, type ValidationResult } from './validate.js';
export { loadPolicy } from './compile.js';
export { evaluate } from './evaluate.js';
export { denialReason, explain } from './explain.js';
export { principalFromString, principalContext } from './principal.js';
export { limitFor, policySize, policySizeError, POLICY_SIZE_LIMITS, type PolicySizeKind } from './limits.js';
export { lintPolicy, type ActionCatalogue } from './lint.js';
