/**
 * `iamd imds`: iamd with its EC2 instance metadata endpoint (and optionally the container credentials
 * endpoint) switched on, so the AWS SDKs' and CLI's default credential chains get role credentials from
 * iamd with no keys configured. The same options work on `iamd serve`; this module owns them.
 */
import type { Command } from './main.js';
import type { RuntimeOptions } from '../config/runtime-bindings.js';
import type { RuntimeEndpoints } from '../server/imds-app.js';

/** The IMDS address `iamd imds` uses when `--imds` is not given (1338: free of AWS's and LocalStack's ports). */
export const DEFAULT_IMDS_ADDRESS = '127.0.0.1:1338';

/** `parseArgs` option specs of the runtime-credential options (shared by `serve` and `imds`). */
export const RUNTIME_ARG_OPTIONS = {
  imds: { type: 'string' },
  instance: { type: 'string', multiple: true },
  'imds-v2-only': { type: 'boolean' },
  'container-credentials': { type: 'string' },
  task: { type: 'string', multiple: true },
} as const;

/** Help text of those options. */
export const RUNTIME_HELP = `Runtime credentials (EC2 instance metadata, container credentials):
  --imds HOST:PORT   serve the EC2 instance metadata service (IMDSv1 + IMDSv2) there (IAMD_IMDS)
  --instance i-0123456789abcdef0=PROFILE[@ACCOUNT][,from=ADDRESS]
                     an emulated instance with that instance profile (repeatable); with several
                     instances, from=ADDRESS says which client address is which instance
  --imds-v2-only     refuse IMDSv1 reads (EC2 "HttpTokens: required"; IAMD_IMDS_V2_ONLY=1)
  --container-credentials HOST:PORT
                     serve container credentials at http://HOST:PORT/v2/credentials/TASK_ID
                     (IAMD_CONTAINER_CREDENTIALS); callers must send the token from
                     IAMD_CONTAINER_AUTHORIZATION_TOKEN (generated and printed when unset)
  --task TASK_ID=ROLE[@ACCOUNT]
                     an emulated ECS task with that task role (repeatable)
  The role must trust ec2.amazonaws.com (instances) or ecs-tasks.amazonaws.com (tasks).`;

/** Reads the runtime options out of `parseArgs` values. */
export function runtimeOptionsFrom(values: {
  readonly imds?: string | undefined;
  readonly instance?: readonly string[] | undefined;
  readonly 'imds-v2-only'?: boolean | undefined;
  readonly 'container-credentials'?: string | undefined;
  readonly task?: readonly string[] | undefined;
}): RuntimeOptions {
  return {
    imds: values.imds,
    instances: values.instance,
    imdsV2Only: values['imds-v2-only'],
    containerCredentials: values['container-credentials'],
    tasks: values.task,
  };
}

/** Tells the user where the runtime endpoints are and how to point clients at them. */
export function describeRuntime(runtime: RuntimeEndpoints | undefined, write: (line: string) => void): void {
  if (runtime === undefined) return;
  if (runtime.imdsUrl !== undefined) {
    write(`IMDS listening on ${runtime.imdsUrl}\n`);
    write(`  export AWS_EC2_METADATA_SERVICE_ENDPOINT=${runtime.imdsUrl}/\n`);
  }
  if (runtime.containerUrl !== undefined) {
    write(`container credentials listening on ${runtime.containerUrl}\n`);
    write(`  export AWS_CONTAINER_CREDENTIALS_FULL_URI=${runtime.containerUrl}/v2/credentials/TASK_ID\n`);
    if (runtime.generatedContainerToken !== undefined)
      write(`  export AWS_CONTAINER_AUTHORIZATION_TOKEN=${runtime.generatedContainerToken}   (shown once)\n`);
  }
}

/** `iamd imds`: `iamd serve` with `--imds` defaulting to {@link DEFAULT_IMDS_ADDRESS}. */
export const imdsCommand: Command = {
  summary: 'serve EC2 instance metadata (and container) credentials for instance profiles',
  async run(args, env) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(
        `usage: iamd imds --instance i-0123456789abcdef0=PROFILE [serve options]\n\n` +
          `Runs iamd (as \`iamd serve\`) with the instance metadata service on ${DEFAULT_IMDS_ADDRESS}\n` +
          `unless --imds says otherwise. The PUT response hop limit of EC2 has no equivalent: reachability\n` +
          `is set by the address IMDS binds.\n\n${RUNTIME_HELP}\n\nSee \`iamd serve --help\` for the server options.`,
      );
      return 0;
    }
    const { serveCommand } = await import('./serve.js');
    const withImds = args.some((a) => a === '--imds' || a.startsWith('--imds='))
      ? args
      : ['--imds', DEFAULT_IMDS_ADDRESS, ...args];
    return serveCommand.run(withImds, env);
  },
};
