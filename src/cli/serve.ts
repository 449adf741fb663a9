import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { loadConfig, DEFAULT_PORT } from '../config/index.js';
import { startServer } from '../main.js';

const HELP = `usage: iamd serve [options]

Starts the IAM and STS APIs on one port.

  --host HOST        address to bind (default 127.0.0.1; IAMD_HOST)
  --port PORT        port (default ${DEFAULT_PORT}; IAMD_PORT; 0 picks a free one)
  --data DIR         data directory with the SQLite store and master key
                     (default $IAMD_DATA_DIR or ~/.iamd)
  --memory           throwaway in-memory store (IAMD_MEMORY=1)
  --log-level LEVEL  fatal|error|warn|info|debug (default info)
  --test-clock       developer flag: POST /_iamd/clock {"advanceSeconds": N} moves time forward

Environment for the first start: IAMD_ACCOUNT_ID, IAMD_ROOT_ACCESS_KEY_ID,
IAMD_ROOT_SECRET_ACCESS_KEY (deterministic root credentials), IAMD_MASTER_KEY.`;

/** `iamd serve`. */
export const serveCommand: Command = {
  summary: 'start the IAM + STS server',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        memory: { type: 'boolean' },
        'log-level': { type: 'string' },
        'test-clock': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const config = loadConfig(
      {
        host: values.host,
        port: values.port,
        data: values.data,
        memory: values.memory,
        logLevel: values['log-level'],
        testClock: values['test-clock'],
      },
      process.env,
    );
    const server = await startServer(config);
    const out = process.stderr;
    out.write(`iamd listening on ${server.url} (store: ${config.memory ? 'in memory' : config.dataDir})\n`);
    if (server.created) {
      const c = server.created;
      out.write(
        `created account ${c.AccountId}; its root credentials (shown once):\n` +
          `  export AWS_ACCESS_KEY_ID=${c.AccessKeyId}\n  export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}\n`,
      );
    }
    out.write(`point the AWS CLI at it:  aws --endpoint-url ${server.url} sts get-caller-identity\n`);
    out.write(`  (or export AWS_ENDPOINT_URL=${server.url})\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        out.write(`${signal}: finishing in-flight requests and closing the store\n`);
        server.close().then(resolve, (err: unknown) => {
          console.error(err);
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
