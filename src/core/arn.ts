/** An Amazon Resource Name split into its six parts (`arn:partition:service:region:account:resource`). */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the fifth colon, e.g. `role/path/Name` or `bucket/key`. */
  readonly resource: string;
}

/**
 * Parses an ARN. Returns `undefined` for anything that is not `arn:` followed by at least five colons.
 * The resource part may itself contain colons (`arn:aws:logs:us-east-1:1:log-group:x:*`).
 */
export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  if (partition === '' || service === '') return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** Renders an {@link Arn} back to text. */
export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

/** The partition iamd serves. */
export const PARTITION = 'aws';

/** True for a 12-digit AWS account id. */
export function isAccountId(text: string): boolean {
  return /^\d{12}$/.test(text);
}
