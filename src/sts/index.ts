/** All STS operations, by wire name. */
import type { Operation } from '../api/operation.js';
import { callerOperations } from './caller.js';
import { assumeRole } from './assume-role.js';
import { getSessionToken } from './session-token.js';
import { getFederationToken } from './federation-token.js';
import { decodeAuthorizationMessageOperation } from './authorization-message.js';
import { assumeRoleWithWebIdentity } from './web-identity.js';
import { assumeRoleWithSAML } from './saml.js';
import { assumeRoot } from './assume-root.js';
import { getWebIdentityToken } from './web-identity-token.js';
import { getDelegatedAccessToken } from './delegated-access-token.js';

/** Every STS operation iamd implements. */
export const STS_OPERATIONS: readonly Operation[] = [
  ...callerOperations,
  assumeRole,
  getSessionToken,
  getFederationToken,
  decodeAuthorizationMessageOperation,
  assumeRoleWithWebIdentity,
  assumeRoleWithSAML,
  assumeRoot,
  getWebIdentityToken,
  getDelegatedAccessToken,
];
