/**
 * The `iamd` command line. Each sub-command lives in its own module and is registered in
 * {@link COMMANDS}; `main` returns the process exit status.
 */

import type { Env } from '../config/index.js';

/** A sub-command: `run` receives the arguments after its name and returns the exit status. */
export interface Command {
  readonly summary: string;
  run(args: string[], env: Env): Promise<number>;
}

/** Sub-commands, lazily imported so `iamd --help` stays fast. */
const COMMANDS: Record<string, () => Promise<Command>> = {};

/** Registers a sub-command (called once per module at start-up by {@link registerAll}). */
export function register(name: string, load: () => Promise<Command>, summary: string): void {
  COMMANDS[name] = load;
  SUMMARIES[name] = summary;
}
const SUMMARIES: Record<string, string> = {};

function registerAll(): void {
  register('serve', async () => (await import('./serve.js')).serveCommand, 'start the IAM + STS server');
  register(
    'init',
    async () => (await import('./init.js')).initCommand,
    'create the data directory and the first account',
  );
  register(
    'migrate',
    async () => (await import('./migrate.js')).migrateCommand,
    'apply pending store schema migrations',
  );
  register(
    'export',
    async () => (await import('./export.js')).exportCommand,
    'write accounts as a seed file',
  );
  register(
    'accounts',
    async () => (await import('./accounts.js')).accountsCommand,
    'create and list accounts',
  );
  register(
    'policy',
    async () => (await import('./policy.js')).policyCommand,
    'validate, evaluate and explain policies',
  );
  register('audit', async () => (await import('./audit.js')).auditCommand, 'tail and search the audit trail');
  register(
    'explain',
    async () => (await import('./explain.js')).explainCommand,
    'explain why a recorded call was allowed or denied',
  );
  register(
    'simulate',
    async () => (await import('./simulate.js')).simulateCommand,
    'simulate policies (like the IAM policy simulator)',
  );
  register(
    'who-can-assume',
    async () => (await import('./analysis.js')).whoCanAssumeCommand,
    'list every principal that can assume a role',
  );
  register(
    'reach',
    async () => (await import('./analysis.js')).reachCommand,
    'list the roles a principal can reach',
  );
  register(
    'delegation',
    async () => (await import('./delegation.js')).delegationCommand,
    'read delegation-token notifications',
  );
  register(
    'imds',
    async () => (await import('./imds.js')).imdsCommand,
    'serve EC2 instance metadata credentials',
  );
}

function usage(): string {
  const lines = ['usage: iamd <command> [options]', '', 'commands:'];
  for (const name of Object.keys(SUMMARIES).sort()) lines.push(`  ${name.padEnd(16)}${SUMMARIES[name]}`);
  lines.push('', 'Run `iamd <command> --help` for the options of one command.');
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: string[], env: Env): Promise<number> {
  registerAll();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version') {
    console.log('iamd 0.1.0');
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`iamd: unknown command \`${name}\`\n\n${usage()}`);
    return 2;
  }
  return (await load()).run(rest, env);
}
