import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { defaultDataDir } from '../config/index.js';
import { masterKeyFor, openStore } from '../main.js';
import { unsealSecret } from '../credentials/seal.js';
import { exportSeed, formatSeed } from '../devmode/export.js';

const HELP = `usage: iamd export [--data DIR] [--account ID]... [--with-secrets] [--format yaml|json]

Writes the accounts of a data directory (default: all) to stdout in the seed-file format, so that
\`iamd serve --seed FILE\` on an empty store recreates them. Secret access keys and password hashes
are left out unless --with-secrets is given (then the output is as sensitive as the keys themselves).
Works while the server runs.`;

/** `iamd export`. */
export const exportCommand: Command = {
  summary: 'write accounts as a seed file (JSON or YAML)',
  async run(args, env) {
    const { values } = parseArgs({
      args,
      options: {
        data: { type: 'string' },
        account: { type: 'string', multiple: true },
        'with-secrets': { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const format = values.format ?? 'yaml';
    if (format !== 'yaml' && format !== 'json') {
      console.error(`iamd export: --format \`${format}\` is not yaml or json`);
      return 2;
    }
    for (const id of values.account ?? [])
      if (!/^\d{12}$/.test(id)) {
        console.error(`iamd export: --account \`${id}\` is not a 12-digit account id`);
        return 2;
      }
    const config = {
      memory: false,
      dataDir: values.data ?? defaultDataDir(env),
      masterKey: env.IAMD_MASTER_KEY,
    };
    const store = await openStore(config);
    try {
      const known = new Set((await store.listAccounts()).map((a) => a.id));
      const missing = (values.account ?? []).filter((id) => !known.has(id));
      if (missing.length > 0) {
        console.error(`iamd export: no account ${missing.join(', ')} in ${config.dataDir}`);
        return 1;
      }
      const masterKey = values['with-secrets'] ? masterKeyFor(config) : undefined;
      const seed = await exportSeed(store, {
        accounts: values.account,
        withSecrets: values['with-secrets'],
        unsealSecret: masterKey ? (sealed, aad) => unsealSecret(masterKey, sealed, aad) : undefined,
      });
      process.stdout.write(formatSeed(seed, format));
      return 0;
    } finally {
      await store.close();
    }
  },
};
