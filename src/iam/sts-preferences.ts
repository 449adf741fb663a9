/**
 * SetSecurityTokenServicePreferences: which session-token version the global STS endpoint issues for
 * the account (`v1Token`, valid only in Regions enabled by default; `v2Token`, valid in all Regions).
 * AWS: API_SetSecurityTokenServicePreferences
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html);
 * GetAccountSummary reports it as `GlobalEndpointTokenVersion` 1 or 2 (API_GetAccountSummary).
 *
 * Storage: a `setting` entity per account (key {@link STS_PREFERENCES_KEY}); absent means v1Token, AWS's
 * default for the global endpoint.
 */
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { StoreReader } from '../store/index.js';
import { callerAccount } from './common.js';

/** The `setting` entity key of the account's STS preferences. */
export const STS_PREFERENCES_KEY = 'sts-preferences';

/** The stored preferences. */
export interface StsPreferencesBody {
  readonly globalEndpointTokenVersion: 'v1Token' | 'v2Token';
}

/** The account's global endpoint token version as GetAccountSummary counts it: 1 or 2. */
export async function globalEndpointTokenVersion(reader: StoreReader, account: string): Promise<1 | 2> {
  const p = await reader.get<StsPreferencesBody>(account, 'setting', STS_PREFERENCES_KEY);
  return p?.body.globalEndpointTokenVersion === 'v2Token' ? 2 : 1;
}

/** SetSecurityTokenServicePreferences (the enum value is checked by the protocol decoder). */
export const setSecurityTokenServicePreferences = iamOperation<'SetSecurityTokenServicePreferences'>({
  service: 'iam',
  name: 'SetSecurityTokenServicePreferences',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:SetSecurityTokenServicePreferences', resource: '*' });
    const body: StsPreferencesBody = {
      globalEndpointTokenVersion: input.GlobalEndpointTokenVersion,
    };
    return ctx.transact(async (tx) => {
      const cur = await tx.get<StsPreferencesBody>(account, 'setting', STS_PREFERENCES_KEY);
      if (cur === undefined) await tx.insert(account, 'setting', STS_PREFERENCES_KEY, body);
      else await tx.update(account, 'setting', STS_PREFERENCES_KEY, body, { expectedVersion: cur.version });
      return {};
    });
  },
});

/** The STS preference operations. */
export const stsPreferenceOperations: readonly Operation[] = [setSecurityTokenServicePreferences];
