/**
 * Runtime credentials (DESIGN.md): the EC2 instance metadata service (IMDSv1 and IMDSv2) and the
 * container credentials endpoint, as logic without HTTP. `server/imds-app.ts` puts them on the wire.
 */
export * from './constants.js';
export * from '../config/runtime-bindings.js';
export { checkTtl, issueToken, verifyToken, type TtlCheck } from './token.js';
export {
  RuntimeCredentials,
  serviceFor,
  sessionNameFor,
  trustsService,
  type CredentialState,
  type RuntimeCredentialDeps,
  type RuntimeTarget,
} from './credentials.js';
export {
  availabilityZone,
  containerCredentialsDocument,
  containerNotFoundDocument,
  errorPage,
  iamInfoDocument,
  identityDocument,
  imdsJson,
  metadataAnswer,
  needsCredentialState,
  securityCredentialsDocument,
  type InstanceFacts,
  type MetadataAnswer,
} from './documents.js';
