/**
 * `iamd delegation notifications`: the messages SendDelegationToken delivered to partners' notification
 * channels (src/iam/delegation-requests.ts). On AWS they are published to the request's SNS topic; iamd
 * serves no SNS, so it keeps them, the trade-in token sealed, in the requestor account, and this command
 * is how a partner testing against iamd reads them (with the data directory's master key).
 */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { withDataStore } from './data-store.js';
import { defaultDataDir } from '../config/index.js';
import { loadMasterKey } from '../credentials/master-key.js';
import { unsealSecret } from '../credentials/seal.js';
import { notificationAad, type DelegationNotificationBody } from '../domain/delegation-requests.js';

const HELP = `usage: iamd delegation notifications --account ID [--request-id ID] [--json] [--data DIR]

Prints the delegation-token notifications sent to account ID's notification channels, newest last:
request id, channel, workflow id, sent and expiry times, and the trade-in token for
sts:GetDelegatedAccessToken.`;

/** `iamd delegation`. */
export const delegationCommand: Command = {
  summary: 'read delegation-token notifications',
  async run(args, env) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        account: { type: 'string' },
        'request-id': { type: 'string' },
        json: { type: 'boolean' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || sub !== 'notifications' || values.account === undefined) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const account = values.account;
    const dataDir = values.data ?? defaultDataDir(env);
    const masterKey = loadMasterKey({ dataDir, env: env.IAMD_MASTER_KEY });
    return withDataStore(dataDir, env, async (store) => {
      const rows = await store.list<DelegationNotificationBody>(account, 'delegationNotification');
      const wanted = rows
        .map((r) => r.body)
        .filter((b) => values['request-id'] === undefined || b.delegationRequestId === values['request-id'])
        .sort((a, b) => a.sentAt - b.sentAt);
      for (const b of wanted) {
        const token = unsealSecret(masterKey, b.sealedToken, notificationAad(b.delegationRequestId));
        const out = {
          DelegationRequestId: b.delegationRequestId,
          NotificationChannel: b.notificationChannel,
          RequestorWorkflowId: b.requestorWorkflowId,
          SentAt: new Date(b.sentAt).toISOString(),
          ExpiresAt: new Date(b.expiresAt).toISOString(),
          TradeInToken: token,
        };
        console.log(values.json ? JSON.stringify(out) : Object.values(out).join('  '));
      }
      return 0;
    });
  },
};
