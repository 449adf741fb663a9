/** All AWS Organizations operations, by wire name. Each file exports its own list; this concatenates them. */
import type { Operation } from '../api/operation.js';
import { organizationOperations } from './organization.js';
import { unitOperations } from './units.js';
import { accountOperations } from './accounts.js';
import { handshakeOperations } from './handshakes.js';
import { policyOperations } from './policies.js';
import { delegatedAdminOperations } from './delegated-admins.js';
import { tagOperations } from './tags.js';
import { effectivePolicyOperations } from './effective-policies.js';
import { resourcePolicyOperations } from './resource-policy.js';

/** Every Organizations operation iamd implements. */
export const ORGANIZATIONS_OPERATIONS: readonly Operation[] = [
  ...organizationOperations,
  ...unitOperations,
  ...accountOperations,
  ...handshakeOperations,
  ...policyOperations,
  ...delegatedAdminOperations,
  ...tagOperations,
  ...effectivePolicyOperations,
  ...resourcePolicyOperations,
];
