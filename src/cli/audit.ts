/**
 * `iamd audit tail|search`: the audit trail read straight from the store (CloudTrail-shaped records,
 * newest first for `search`, oldest first for `tail`).
 */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { withDataStore } from './data-store.js';
import type { AuditQuery, AuditRecord, Store } from '../store/index.js';

const HELP = `usage: iamd audit tail [--follow] [--json] [-n N] [--data DIR]
       iamd audit search [filters] [--json] [--max N] [--data DIR]

filters: --event-name NAME --username NAME --resource-name NAME --resource-type TYPE
         --access-key-id ID --event-id ID --event-source SOURCE --request-id ID
         --read-only true|false --account ID --start ISO --end ISO --error-code CODE

--json prints one CloudTrail record per line (JSON lines).`;

/** One line of text for an event. */
export function eventLine(r: AuditRecord): string {
  return [
    new Date(r.eventTime).toISOString(),
    r.account,
    `${r.eventSource.replace('.amazonaws.com', '')}:${r.eventName}`,
    r.username ?? '-',
    r.errorCode ?? 'OK',
    r.requestId,
  ].join('  ');
}

function print(r: AuditRecord, json: boolean): void {
  console.log(json ? JSON.stringify(r.record) : eventLine(r));
}

function time(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`--${name} \`${text}\` is not a date`);
  return ms;
}

async function tail(store: Store, n: number, follow: boolean, json: boolean): Promise<number> {
  const page = await store.queryAudit({ limit: n });
  const seen = new Set<string>();
  let since = 0;
  for (const r of [...page.events].reverse()) {
    print(r, json);
    seen.add(r.eventId);
    since = Math.max(since, r.eventTime);
  }
  if (!follow) return 0;
  // Poll: the store has no cross-process push for the audit log; twice a second is cheap (indexed).
  await new Promise<void>((resolve) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      store
        .queryAudit({ startTime: since, limit: 1000 })
        .then((p) => {
          for (const r of [...p.events].reverse()) {
            if (seen.has(r.eventId)) continue;
            seen.add(r.eventId);
            since = Math.max(since, r.eventTime);
            print(r, json);
          }
          if (seen.size > 100_000) seen.clear();
        })
        .catch((err: unknown) => console.error(`iamd audit: ${String(err)}`))
        .finally(() => (busy = false));
    }, 500);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** `iamd audit`. */
export const auditCommand: Command = {
  summary: 'tail and search the audit trail',
  async run(args, env) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        data: { type: 'string' },
        json: { type: 'boolean' },
        follow: { type: 'boolean', short: 'f' },
        n: { type: 'string', short: 'n' },
        max: { type: 'string' },
        'event-name': { type: 'string' },
        username: { type: 'string' },
        'resource-name': { type: 'string' },
        'resource-type': { type: 'string' },
        'access-key-id': { type: 'string' },
        'event-id': { type: 'string' },
        'event-source': { type: 'string' },
        'request-id': { type: 'string' },
        'read-only': { type: 'string' },
        account: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'error-code': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || (sub !== 'tail' && sub !== 'search')) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const count = Number(values.n ?? values.max ?? (sub === 'tail' ? 20 : 50));
    if (!Number.isInteger(count) || count < 1) {
      console.error('iamd audit: -n/--max must be a positive integer');
      return 2;
    }
    const readOnly = values['read-only'];
    if (readOnly !== undefined && readOnly !== 'true' && readOnly !== 'false') {
      console.error('iamd audit: --read-only must be true or false');
      return 2;
    }
    let query: AuditQuery;
    try {
      const q: Record<string, unknown> = {
        eventName: values['event-name'],
        username: values.username,
        resourceName: values['resource-name'],
        resourceType: values['resource-type'],
        accessKeyId: values['access-key-id'],
        eventId: values['event-id'],
        eventSource: values['event-source'],
        requestId: values['request-id'],
        account: values.account,
        readOnly: readOnly === undefined ? undefined : readOnly === 'true',
        startTime: time(values.start, 'start'),
        endTime: time(values.end, 'end'),
      };
      for (const k of Object.keys(q)) if (q[k] === undefined) delete q[k];
      query = q as AuditQuery;
    } catch (err) {
      console.error(`iamd audit: ${(err as Error).message}`);
      return 2;
    }
    return withDataStore(values.data, env, async (store) => {
      if (sub === 'tail') return await tail(store, count, values.follow === true, values.json === true);
      const wanted = values['error-code'];
      let printed = 0;
      let nextToken: string | undefined;
      do {
        const page = await store.queryAudit({ ...query, limit: Math.min(1000, count), nextToken });
        for (const r of page.events) {
          if (wanted !== undefined && r.errorCode !== wanted) continue;
          print(r, values.json === true);
          if (++printed >= count) return 0;
        }
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return 0;
    });
  },
};
