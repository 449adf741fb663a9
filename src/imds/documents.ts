/**
 * The documents IMDS and the container credentials endpoint answer with, and which metadata path
 * shows what. Pure: the HTTP layer passes in the instance, the credential state and the time.
 *
 * Shapes (EC2 User Guide, "Instance metadata categories" and "Retrieve security credentials from
 * instance metadata"; recorded bodies quoted in the tests):
 * - `iam/info`: `Code`, `LastUpdated`, `InstanceProfileArn`, `InstanceProfileId`;
 * - `iam/security-credentials/ROLE`: `Code`, `LastUpdated`, `Type: AWS-HMAC`, `AccessKeyId`,
 *   `SecretAccessKey`, `Token`, `Expiration`;
 * - directories list their entries one per line, sub-directories with a trailing `/`.
 * IMDS renders JSON with two-space indentation and ` : ` between key and value.
 */
import { isoSeconds } from '../core/clock.js';
import type { CredentialState } from './credentials.js';
import { assumeRoleUnauthorizedMessage } from './constants.js';

/** An answer to a metadata read. */
export interface MetadataAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** What the instance is, for the non-IAM paths. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly account: string;
  readonly region: string;
  /** When the instance "launched" (the endpoint started), ms since the epoch. */
  readonly launchedAt: number;
  /** `x86_64` or `arm64`. */
  readonly architecture: string;
}

/** Renders `entries` the way IMDS does: `{\n  "Key" : value,\n ...}`. */
export function imdsJson(entries: Readonly<Record<string, string | null>>): string {
  const lines = Object.entries(entries).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** The availability zone iamd reports: the region's first zone (`us-east-1a`). */
export function availabilityZone(region: string): string {
  return `${region}a`;
}

/** AWS's plain error page for IMDS statuses (`<h1>404 - Not Found</h1>`). */
export function errorPage(status: 400 | 401 | 403 | 404 | 405): MetadataAnswer {
  const text: Record<typeof status, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
  };
  const title = `${status} - ${text[status]}`;
  const body =
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
    '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    ` <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n </body>\n</html>\n`;
  return { status, body, contentType: 'text/html' };
}

function text(body: string): MetadataAnswer {
  return { status: 200, body, contentType: 'text/plain' };
}

/** The `iam/security-credentials/ROLE` document for a state that has a role. */
export function securityCredentialsDocument(state: Exclude<CredentialState, { status: 'no-role' }>): string {
  if (state.status === 'untrusted')
    return imdsJson({
      Code: 'AssumeRoleUnauthorizedAccess',
      Message: assumeRoleUnauthorizedMessage(state.roleName),
      LastUpdated: isoSeconds(state.lastUpdated),
    });
  const c = state.session.credentials;
  return imdsJson({
    Code: 'Success',
    LastUpdated: isoSeconds(state.lastUpdated),
    Type: 'AWS-HMAC',
    AccessKeyId: c.AccessKeyId,
    SecretAccessKey: c.SecretAccessKey,
    Token: c.SessionToken,
    Expiration: isoSeconds(c.Expiration),
  });
}

/**
 * The `iam/info` document. With an untrusted role AWS's exact `iam/info` body is not publicly
 * recorded; iamd answers with the same `Code`/`Message` as the credentials path, plus the profile.
 */
export function iamInfoDocument(state: Exclude<CredentialState, { status: 'no-role' }>): string {
  const profile = state.profile;
  const where: Record<string, string> = profile
    ? { InstanceProfileArn: profile.arn, InstanceProfileId: profile.instanceProfileId }
    : {};
  if (state.status === 'untrusted')
    return imdsJson({
      Code: 'AssumeRoleUnauthorizedAccess',
      Message: assumeRoleUnauthorizedMessage(state.roleName),
      LastUpdated: isoSeconds(state.lastUpdated),
      ...where,
    });
  return imdsJson({ Code: 'Success', LastUpdated: isoSeconds(state.lastUpdated), ...where });
}

/** The `dynamic/instance-identity/document` (fields iamd can state truthfully; the rest are null). */
export function identityDocument(i: InstanceFacts): string {
  return imdsJson({
    accountId: i.account,
    architecture: i.architecture,
    availabilityZone: availabilityZone(i.region),
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    instanceId: i.instanceId,
    kernelId: null,
    pendingTime: isoSeconds(i.launchedAt),
    ramdiskId: null,
    region: i.region,
    version: '2017-09-30',
  });
}

/** Whether a path needs the credential state (so the HTTP layer reads the store only then). */
export function needsCredentialState(path: string): boolean {
  return (
    path === '/latest/meta-data' || path === '/latest/meta-data/' || path.startsWith('/latest/meta-data/iam')
  );
}

/**
 * Answers a GET of `path` (query already removed). `state` is required for the paths
 * {@link needsCredentialState} names. Unknown paths are 404, as on AWS.
 */
export function metadataAnswer(
  path: string,
  i: InstanceFacts,
  state: CredentialState | undefined,
): MetadataAnswer {
  // IMDS answers directories with or without their trailing slash.
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const hasIam = state !== undefined && state.status !== 'no-role';
  switch (p) {
    case '/':
      return text('latest');
    case '/latest':
      return text('dynamic\nmeta-data');
    case '/latest/meta-data':
      return text([...(hasIam ? ['iam/'] : []), 'instance-id', 'placement/'].join('\n'));
    case '/latest/meta-data/instance-id':
      return text(i.instanceId);
    case '/latest/meta-data/placement':
      return text('availability-zone\nregion');
    case '/latest/meta-data/placement/availability-zone':
      return text(availabilityZone(i.region));
    case '/latest/meta-data/placement/region':
      return text(i.region);
    case '/latest/dynamic':
      return text('instance-identity/');
    case '/latest/dynamic/instance-identity':
      return text('document');
    case '/latest/dynamic/instance-identity/document':
      return { status: 200, body: identityDocument(i), contentType: 'text/plain' };
  }
  if (!p.startsWith('/latest/meta-data/iam') || state === undefined || state.status === 'no-role')
    return errorPage(404);
  const roleName = state.status === 'ok' ? state.role.roleName : state.roleName;
  switch (p) {
    case '/latest/meta-data/iam':
      return text('info\nsecurity-credentials/');
    case '/latest/meta-data/iam/info':
      return text(iamInfoDocument(state));
    case '/latest/meta-data/iam/security-credentials':
      return text(roleName);
    case `/latest/meta-data/iam/security-credentials/${roleName}`:
      // The path ends at the role name; `ROLE/` is not a directory.
      return path.endsWith('/') ? errorPage(404) : text(securityCredentialsDocument(state));
  }
  return errorPage(404);
}

/** The container endpoint's body (ECS agent `/v2/credentials/ID`; SDK `fromContainerMetadata` / `fromHttp`). */
export function containerCredentialsDocument(state: Extract<CredentialState, { status: 'ok' }>): string {
  const c = state.session.credentials;
  return JSON.stringify({
    RoleArn: state.role.arn,
    AccessKeyId: c.AccessKeyId,
    SecretAccessKey: c.SecretAccessKey,
    Token: c.SessionToken,
    Expiration: isoSeconds(c.Expiration),
  });
}

/**
 * The ECS agent's answer for an id it has no credentials for (recorded in amazon-ecs-agent's handler
 * tests and users' botocore errors): HTTP 400 with this JSON.
 */
export function containerNotFoundDocument(): string {
  return JSON.stringify({
    code: 'InvalidIdInRequest',
    message: 'CredentialsV2Request: Credentials not found',
    HTTPErrorCode: 400,
  });
}
