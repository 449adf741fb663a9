import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { defaultDataDir } from '../config/index.js';
import { migratePostgresDatabase, openStore, redactUrl } from '../main.js';

const HELP = `usage: iamd migrate [--database URL | --data DIR] [--json]

Applies pending schema migrations and exits. With PostgreSQL (--database or IAMD_DATABASE_URL) the run
holds an advisory lock, so it is safe while nodes run or start; nodes apply migrations on start too,
so this is for deployments that migrate as a separate step. Without a database URL it migrates the
SQLite store in the data directory (default $IAMD_DATA_DIR or ~/.iamd).`;

/** `iamd migrate`. */
export const migrateCommand: Command = {
  summary: 'apply pending store schema migrations',
  async run(args, env) {
    const { values } = parseArgs({
      args,
      options: {
        database: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const database = values.database ?? env.IAMD_DATABASE_URL;
    if (database !== undefined && values.data !== undefined) {
      console.error('iamd migrate: give either --database or --data, not both');
      return 2;
    }
    if (database !== undefined) {
      if (!/^postgres(ql)?:\/\/./.test(database)) {
        console.error('iamd migrate: the database URL must start with postgres:// or postgresql://');
        return 2;
      }
      try {
        const result = await migratePostgresDatabase(database);
        if (values.json) console.log(JSON.stringify(result));
        else
          console.log(
            result.applied.length === 0
              ? `${redactUrl(database)}: schema is at version ${result.to}; nothing to apply`
              : `${redactUrl(database)}: applied ${result.applied.join(', ')}; schema is at version ${result.to}`,
          );
        return 0;
      } catch (error) {
        console.error(`iamd migrate: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
    }
    // SQLite applies its migrations when the file is opened (in one locked transaction).
    const dataDir = values.data ?? defaultDataDir(env);
    try {
      const store = await openStore({ memory: false, dataDir });
      await store.close();
    } catch (error) {
      console.error(`iamd migrate: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    if (values.json) console.log(JSON.stringify({ dataDir, migrated: true }));
    else console.log(`${dataDir}: SQLite schema is current`);
    return 0;
  },
};
