/**
 * `iamd who-can-assume ROLE_ARN` and `iamd reach PRINCIPAL_ARN`: the assume-role graph of the store
 * (src/analysis), as text or JSON. Read the store directly (works while the server runs).
 */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { withDataStore } from './data-store.js';
import { loadAccessModel, reach, renderReaches, whoCanAssume } from '../analysis/index.js';

function command(kind: 'who-can-assume' | 'reach'): Command {
  const help =
    kind === 'who-can-assume'
      ? `usage: iamd who-can-assume ROLE_ARN [--data DIR] [--json]

Every principal that can assume the role (users, roles through chains, federated providers,
services, other accounts), with the path, the statements that allow each step and the conditions
that still apply (external id, MFA, source IP, token claims).`
      : `usage: iamd reach PRINCIPAL_ARN [--data DIR] [--json]

Every role the principal (user, role, provider, service or arn:aws:iam::ACCOUNT:root) can reach,
transitively, with the path and the conditions that still apply.`;
  return {
    summary:
      kind === 'reach'
        ? 'list the roles a principal can reach'
        : 'list every principal that can assume a role',
    async run(args, env) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          data: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help || positionals.length !== 1) {
        console.log(help);
        return values.help ? 0 : 2;
      }
      const arn = positionals[0]!;
      return withDataStore(values.data, env, async (store) => {
        const model = await loadAccessModel(store);
        if (kind === 'who-can-assume' && !model.roles.has(arn)) {
          console.error(`iamd who-can-assume: no role \`${arn}\` in this store`);
          return 1;
        }
        const list = kind === 'who-can-assume' ? whoCanAssume(model, arn) : reach(model, arn);
        if (values.json)
          console.log(
            JSON.stringify(
              kind === 'reach' ? { Principal: arn, Roles: list } : { Role: arn, Principals: list },
              null,
              2,
            ),
          );
        else
          console.log(
            renderReaches(
              list,
              kind === 'reach' ? `Roles ${arn} can reach:` : `Principals that can assume ${arn}:`,
            ),
          );
        return 0;
      });
    },
  };
}

/** `iamd who-can-assume`. */
export const whoCanAssumeCommand = command('who-can-assume');
/** `iamd reach`. */
export const reachCommand = command('reach');
