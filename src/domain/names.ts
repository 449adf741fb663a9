/**
 * Names and ARNs of IAM entities: the ARN format and the case-insensitive name key every entity is
 * stored under.
 */

/** `arn:aws:iam::ACCOUNT:TYPE/PATH…NAME` — paths start and end with `/` (IAM identifiers page). */
export function iamArn(account: string, type: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:${type}${path}${name}`;
}

/** The lower-cased unique key of a named IAM entity (names are unique regardless of case). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
