/** All IAM operations, by wire name. Each file exports its own list; this concatenates them. */
import type { Operation } from '../api/operation.js';
import { userOperations } from './users.js';
import { groupOperations } from './groups.js';
import { accessKeyOperations } from './access-keys.js';
import { loginProfileOperations } from './login-profiles.js';
import { mfaDeviceOperations } from './mfa-devices.js';
import { accountOperations } from './account.js';
import { roleOperations } from './roles.js';
import { managedPolicyOperations } from './managed-policies.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { attachedPolicyOperations } from './attached-policies.js';
import { permissionsBoundaryOperations } from './permissions-boundaries.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { authorizationDetailsOperations } from './authorization-details.js';
import { simulateOperations } from './simulate.js';
import { oidcProviderOperations } from './oidc-providers.js';
import { samlProviderOperations } from './saml-providers.js';
import { sshPublicKeyOperations } from './ssh-public-keys.js';
import { serviceCredentialOperations } from './service-credentials.js';
import { signingCertificateOperations } from './signing-certificates.js';
import { serverCertificateOperations } from './server-certificates.js';
import { serviceLinkedRoleOperations } from './service-linked-roles.js';
import { organizationsFeatureOperations } from './organizations-features.js';
import { credentialReportOperations } from './credential-report.js';
import { stsPreferenceOperations } from './sts-preferences.js';
import { policyReportOperations } from './policy-reports.js';
import { serviceLastAccessedOperations } from './service-last-accessed.js';
import { organizationsAccessReportOperations } from './organizations-access-report.js';
import { outboundFederationOperations } from './outbound-federation.js';
import { delegationRequestOperations } from './delegation-requests.js';

/** Every IAM operation iamd implements. */
export const IAM_OPERATIONS: readonly Operation[] = [
  ...userOperations,
  ...groupOperations,
  ...accessKeyOperations,
  ...loginProfileOperations,
  ...mfaDeviceOperations,
  ...accountOperations,
  ...roleOperations,
  ...managedPolicyOperations,
  ...inlinePolicyOperations,
  ...attachedPolicyOperations,
  ...permissionsBoundaryOperations,
  ...instanceProfileOperations,
  ...authorizationDetailsOperations,
  ...simulateOperations,
  ...oidcProviderOperations,
  ...samlProviderOperations,
  ...sshPublicKeyOperations,
  ...serviceCredentialOperations,
  ...signingCertificateOperations,
  ...serverCertificateOperations,
  ...serviceLinkedRoleOperations,
  ...organizationsFeatureOperations,
  ...credentialReportOperations,
  ...stsPreferenceOperations,
  ...policyReportOperations,
  ...serviceLastAccessedOperations,
  ...organizationsAccessReportOperations,
  ...outboundFederationOperations,
  ...delegationRequestOperations,
];
