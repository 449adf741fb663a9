import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { loadConfig } from '../config/index.js';
import { makeServices, masterKeyFor, openStore } from '../main.js';
import { ensureFirstAccount } from '../accounts/index.js';
import { loadKeyring, SessionTokenSealer } from '../credentials/session-token.js';

const HELP = `usage: iamd init [--data DIR] [--json]

Creates the data directory, its master key and the first account, and prints that account's root
credentials once (the first \`iamd serve\` does the same when nothing was initialised). With
IAMD_ACCOUNT_ID / IAMD_ROOT_ACCESS_KEY_ID / IAMD_ROOT_SECRET_ACCESS_KEY set, uses those.`;

/** `iamd init`. */
export const initCommand: Command = {
  summary: 'create the data directory and the first account',
  async run(args, env) {
    const { values } = parseArgs({
      args,
      options: { data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const config = loadConfig({ data: values.data }, env);
    const store = await openStore(config);
    try {
      const masterKey = masterKeyFor(config);
      const services = makeServices(
        masterKey,
        new SessionTokenSealer(await loadKeyring(store, masterKey, Date.now())),
      );
      const created = await ensureFirstAccount(store, services, Date.now(), {
        accountId: config.accountId,
        accessKeyId: config.rootAccessKeyId,
        secretAccessKey: config.rootSecretAccessKey,
      });
      if (!created) {
        const accounts = await store.listAccounts();
        console.error(`iamd init: ${config.dataDir} is already initialised (${accounts.length} account(s))`);
        return 1;
      }
      if (values.json) console.log(JSON.stringify(created));
      else
        console.log(
          `initialised ${config.dataDir}\naccount ${created.AccountId}; its root credentials (shown once):\n` +
            `  export AWS_ACCESS_KEY_ID=${created.AccessKeyId}\n  export AWS_SECRET_ACCESS_KEY=${created.SecretAccessKey}`,
        );
      return 0;
    } finally {
      await store.close();
    }
  },
};
