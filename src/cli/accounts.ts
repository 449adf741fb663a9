import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Command } from './main.js';
import { defaultDataDir } from '../config/index.js';
import { masterKeyFor, openStore, makeServices } from '../main.js';
import { createAccount } from '../accounts/index.js';
import { loadKeyring, SessionTokenSealer } from '../credentials/session-token.js';

const HELP = `usage: iamd accounts create [--data DIR] [--id 12-DIGITS] [--json]
       iamd accounts list [--data DIR] [--json]

Works on the same data directory while the server runs.`;

/** `iamd accounts create|list`. */
export const accountsCommand: Command = {
  summary: 'create and list accounts',
  async run(args) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        data: { type: 'string' },
        id: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || (sub !== 'create' && sub !== 'list')) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (values.id !== undefined && !/^\d{12}$/.test(values.id)) {
      console.error(`iamd accounts: --id \`${values.id}\` is not a 12-digit account id`);
      return 2;
    }
    const dataDir = values.data ?? defaultDataDir(process.env);
    const config = { memory: false, dataDir, masterKey: process.env.IAMD_MASTER_KEY };
    const store = await openStore(config);
    try {
      if (sub === 'list') {
        const accounts = await store.listAccounts();
        if (values.json)
          console.log(
            JSON.stringify({ Accounts: accounts.map((a) => ({ AccountId: a.id, Alias: a.alias })) }),
          );
        else for (const a of accounts) console.log(a.alias ? `${a.id}  ${a.alias}` : a.id);
        return 0;
      }
      const masterKey = masterKeyFor(config);
      const services = makeServices(
        masterKey,
        new SessionTokenSealer(await loadKeyring(store, masterKey, Date.now())),
      );
      const created = await createAccount(store, { ...services, random: (n) => randomBytes(n) }, Date.now(), {
        accountId: values.id,
      }).catch((err: unknown) => {
        console.error(`iamd accounts: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      if (!created) return 1;
      if (values.json) console.log(JSON.stringify(created));
      else
        console.log(
          `account ${created.AccountId}\n  AWS_ACCESS_KEY_ID=${created.AccessKeyId}\n  AWS_SECRET_ACCESS_KEY=${created.SecretAccessKey}`,
        );
      return 0;
    } finally {
      await store.close();
    }
  },
};
