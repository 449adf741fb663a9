/**
 * Encoded authorization messages and sts:DecodeAuthorizationMessage (STS API reference,
 * DecodeAuthorizationMessage): "The message is encoded because the details of the authorization status
 * can contain privileged information that the user who requested the operation should not see. To
 * decode an authorization status message, a user must be granted permissions through an IAM policy to
 * request the DecodeAuthorizationMessage (sts:DecodeAuthorizationMessage) action." The decoded message
 * says whether the request was denied by an explicit deny or the absence of an allow, the principal,
 * the action, the resource and the values of the condition keys.
 *
 * iamd's format: the message as JSON, compressed with raw DEFLATE, sealed with the master key
 * (AES-256-GCM via `services.sealSecret`) under the additional data `sts:authorization-message/ACCOUNT`,
 * so a message only decodes in the account whose request it describes and cannot be forged or altered.
 * The decoded text uses AWS's JSON layout (`{"allowed":…,"explicitDeny":…,"matchedStatements":{"items":
 * […]},"failures":{"items":[…]},"context":{"principal":{"id","name","arn"},"action","resource",
 * "conditions":{"items":[{"key","values":{"items":[{"value"}]}}]}}}`, as printed by
 * `aws sts decode-authorization-message` in aws/aws-sdk-go#1536).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Services } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import type { AuthorizationMessage } from '../explain/authorization-message.js';

function aad(account: string): string {
  return `sts:authorization-message/${account}`;
}

/** Seals `message` for `account` (the account of the request it describes). */
export function encodeAuthorizationMessage(
  services: Pick<Services, 'sealSecret'>,
  account: string,
  message: AuthorizationMessage,
): string {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(message), 'utf8')).toString('base64');
  return services.sealSecret(packed, aad(account));
}

/** Thrown for anything that is not a message iamd sealed for this account. */
export function invalidAuthorizationMessage(): AwsError {
  return new AwsError('InvalidAuthorizationMessageException', 'the encoded authorization message is invalid');
}

/**
 * Opens a message sealed by {@link encodeAuthorizationMessage} for `account`. Every failure (garbage,
 * altered, another account's) is the same InvalidAuthorizationMessageException.
 */
export function decodeAuthorizationMessage(
  services: Pick<Services, 'unsealSecret'>,
  account: string,
  encoded: string,
): AuthorizationMessage {
  try {
    const packed = services.unsealSecret(encoded.trim(), aad(account));
    const parsed: unknown = JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('context' in parsed))
      throw invalidAuthorizationMessage();
    return parsed as AuthorizationMessage;
  } catch {
    throw invalidAuthorizationMessage();
  }
}

const items = <T>(list: readonly T[]): { items: T[] } => ({ items: [...list] });

/** The `DecodedMessage` text: AWS's JSON layout with `{"items": […]}` lists. */
export function renderDecodedMessage(m: AuthorizationMessage): string {
  return JSON.stringify({
    allowed: m.allowed,
    explicitDeny: m.explicitDeny,
    matchedStatements: items(
      m.matchedStatements.map((s) => ({
        statementId: s.statementId,
        effect: s.effect,
        policyId: s.policyId,
        policyType: s.policyType,
      })),
    ),
    failures: items(m.failures),
    context: {
      principal: m.context.principal,
      action: m.context.action,
      resource: m.context.resource,
      conditions: items(
        m.context.conditions.map((c) => ({
          key: c.key,
          values: items(c.values.map((value) => ({ value }))),
        })),
      ),
    },
  });
}

/** sts:DecodeAuthorizationMessage. */
export const decodeAuthorizationMessageOperation = stsOperation<'DecodeAuthorizationMessage'>({
  service: 'sts',
  name: 'DecodeAuthorizationMessage',
  action: null,
  async handle(input, ctx) {
    const caller = ctx.principal;
    if (caller.type === 'Anonymous')
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    await ctx.authorize({ action: 'sts:DecodeAuthorizationMessage', resource: '*' });
    const message = decodeAuthorizationMessage(ctx.services, caller.account, input.EncodedMessage);
    return { DecodedMessage: renderDecodedMessage(message) };
  },
});
