import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Command } from './main.js';
import { defaultDataDir } from '../config/index.js';
import { masterKeyFor, openStore, makeServices } from '../main.js';
import { createAccount, createRootKey, firstAccount } from '../accounts/index.js';
import { loadKeyring, SessionTokenSealer } from '../credentials/session-token.js';
import { hashPasswordAsync } from '../credentials/password.js';
import type { Store } from '../store/index.js';
import type { NewAccount } from '../accounts/index.js';

const HELP = `usage: iamd accounts create [--data DIR] [--id 12-DIGITS] [--json]
       iamd accounts list [--data DIR] [--json]
       iamd accounts create-root-key [--data DIR] [--id 12-DIGITS] [--json]
         (a new root access key, printed once; at most two per account; --id defaults to the first account)
       iamd accounts set-root-password [--data DIR] [--id 12-DIGITS] < password
         (the web console's root sign-in password, read from stdin; --id defaults to the first account)

Works on the same data directory while the server runs.`;

/** `iamd accounts create|list|create-root-key|set-root-password`. */
export const accountsCommand: Command = {
  summary: 'create and list accounts, issue root access keys, set root passwords',
  async run(args, env) {
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
    const subs = ['create', 'list', 'create-root-key', 'set-root-password'];
    if (values.help || sub === undefined || !subs.includes(sub)) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (values.id !== undefined && !/^\d{12}$/.test(values.id)) {
      console.error(`iamd accounts: --id \`${values.id}\` is not a 12-digit account id`);
      return 2;
    }
    const dataDir = values.data ?? defaultDataDir(env);
    const config = { memory: false, dataDir, masterKey: env.IAMD_MASTER_KEY };
    const store = await openStore(config);
    try {
      if (sub === 'set-root-password') return await setRootPassword(store, values.id);
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
      const withRandom = { ...services, random: (n: number) => randomBytes(n) };
      let made: Promise<NewAccount>;
      if (sub === 'create-root-key') {
        const account = values.id ?? firstAccount(await store.listAccounts())?.id;
        if (account === undefined) {
          console.error('iamd accounts: no account exists yet (run `iamd init` first)');
          return 1;
        }
        made = createRootKey(store, withRandom, Date.now(), account);
      } else made = createAccount(store, withRandom, Date.now(), { accountId: values.id });
      const created = await made.catch((err: unknown) => {
        console.error(`iamd accounts: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      if (!created) return 1;
      if (values.json) console.log(JSON.stringify(created));
      else
        console.log(
          `${sub === 'create-root-key' ? 'new root access key for account' : 'account'} ${created.AccountId}\n  AWS_ACCESS_KEY_ID=${created.AccessKeyId}\n  AWS_SECRET_ACCESS_KEY=${created.SecretAccessKey}`,
        );
      return 0;
    } finally {
      await store.close();
    }
  },
};

/**
 * `iamd accounts set-root-password`: stores the scrypt hash of the account root's console password
 * (read from stdin, first line) in the account record (`rootPasswordHash`), for the web console's root
 * sign-in. AWS's root password rules: 8 to 128 characters ("Change the password for the root user").
 */
async function setRootPassword(store: Store, id: string | undefined): Promise<number> {
  const account = id !== undefined ? await store.getAccount(id) : firstAccount(await store.listAccounts());
  if (account === undefined) {
    console.error(`iamd accounts: no account ${id === undefined ? 'exists yet' : `\`${id}\``}`);
    return 1;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password.length < 8 || password.length > 128) {
    console.error('iamd accounts: the root password must be 8 to 128 characters (read from stdin)');
    return 2;
  }
  const rootPasswordHash = await hashPasswordAsync(password);
  await store.transact(async (tx) => {
    const current = (await tx.getAccount(account.id)) ?? account;
    await tx.putAccount({ ...current, rootPasswordHash });
  });
  console.log(`root password set for account ${account.id}`);
  return 0;
}
