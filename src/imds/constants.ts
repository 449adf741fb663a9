/**
 * Protocol constants of the EC2 instance metadata service (IMDS) and the container credentials
 * endpoint, with the AWS pages they come from.
 */

/** IMDSv2: the session-token request path (EC2 User Guide, "Use IMDSv2"). */
export const TOKEN_PATH = '/latest/api/token';
/** IMDSv2: the TTL header of the token PUT, lower-cased as Node delivers headers. */
export const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
/** IMDSv2: the token header of every read. */
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
/** "The token can have a TTL of up to six hours (21,600 seconds)" and at least one second (EC2 User Guide). */
export const MIN_TOKEN_TTL_SECONDS = 1;
/** Upper bound of {@link TTL_HEADER}. */
export const MAX_TOKEN_TTL_SECONDS = 21600;

/** The service principals that assume roles for runtime credentials (IAM User Guide, service principals). */
export const EC2_SERVICE = 'ec2.amazonaws.com';
/** ECS task roles are trusted by this principal (ECS Developer Guide, "Task IAM role"). */
export const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';

/**
 * Lifetime of the credentials iamd hands to an instance or task. EC2's instance credentials are valid for
 * about six hours: a recorded response shows `LastUpdated 16:25:16Z`, `Expiration 23:00:20Z`, and
 * Uptycs' study ("AWS Instance Profile & IAM Role", 2023) saw instances keep a role's credentials for up
 * to six hours. They are minted by EC2 itself, so the role's MaxSessionDuration (a limit for
 * AssumeRole calls) does not apply.
 */
export const CREDENTIAL_LIFETIME_SECONDS = 6 * 60 * 60;

/**
 * New credentials are served once fewer than this many seconds remain. AWS: "We make new credentials
 * available at least five minutes before the expiration of the old credentials" (EC2 User Guide,
 * "Retrieve security credentials from instance metadata"). The clients refresh on their own schedule:
 * SDK for JavaScript v3 five minutes before expiry; botocore treats IMDS credentials that expire within
 * 12–20 minutes as a service outage and extends them (`InstanceMetadataFetcher._evaluate_expiration`:
 * 10-minute window plus 2–10 minutes of jitter). Rotating an hour ahead keeps every client clear of
 * those windows, and keeps serving the same credentials until then.
 */
export const ROTATE_BEFORE_EXPIRY_SECONDS = 60 * 60;

/** The `Message` IMDS gives when EC2 may not assume the profile's role (aws/aws-cli#2060, recorded body). */
export function assumeRoleUnauthorizedMessage(roleName: string): string {
  return `EC2 cannot assume the role ${roleName}.  Please see documentation at http://docs.amazonwebservices.com/IAM/latest/UserGuide/RolesTroubleshooting.html.`;
}
