/**
 * `iamd explain REQUEST_ID [--data DIR] [--account ID] [--json]`: why a recorded call was allowed or
 * denied, read from the store's audit trail (works while the server runs: SQLite WAL readers never
 * block the writer).
 */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { defaultDataDir } from '../config/index.js';
import { withDataStore } from './data-store.js';
import { explainEvent, renderExplanation } from '../explain/index.js';

const HELP = `usage: iamd explain REQUEST_ID [--data DIR] [--account ID] [--json]

Explains a recorded call: every policy statement evaluated, the deciding one, what did not match,
and the smallest change that would allow it. REQUEST_ID is the RequestId of the response (the SDKs'
$metadata.requestId, the x-amzn-RequestId header). Exit status 0 when found, 1 when not.

A cross-account call is recorded in both accounts, and each sees only its own side: the caller's
account (the default) sees its own policies and AWS's plain outcome; --account RESOURCE_ACCOUNT shows
the resource account's view, with its trust or resource-based policy and the full reason.`;

/** `iamd explain`. */
export const explainCommand: Command = {
  summary: 'explain why a recorded call was allowed or denied',
  async run(args, env) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        account: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || positionals.length !== 1) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const requestId = positionals[0]!;
    return withDataStore(values.data, env, async (store) => {
      const page = await store.queryAudit({
        requestId,
        ...(values.account !== undefined ? { account: values.account } : {}),
        limit: 10,
      });
      // A cross-account call is recorded once per account; the caller's copy comes first.
      const event =
        page.events.find((e) => e.account === (e.record.userIdentity as { accountId?: string })?.accountId) ??
        page.events[0];
      if (!event) {
        // Name the directory searched: without --data it is the default one, maybe not the server's.
        const dir = values.data ?? defaultDataDir(env);
        console.error(
          `iamd explain: no recorded call has request id \`${requestId}\` in ${dir} (use --data DIR)`,
        );
        return 1;
      }
      // The account's own view (src/explain/visibility.ts), as the explain endpoint would answer it.
      const explanation = explainEvent(event, event.account);
      console.log(values.json ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation));
      const others = page.events.filter((e) => e.account !== event.account).map((e) => e.account);
      if (!values.json && others.length > 0)
        console.log(
          `\n(This is account ${event.account}'s view; the call is also recorded in ${others.map((a) => `account ${a}`).join(', ')}: add --account ${others[0]!} for its view.)`,
        );
      return 0;
    });
  },
};
