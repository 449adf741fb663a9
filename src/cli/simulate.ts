/**
 * `iamd simulate`: the policy simulator offline (what `iam:SimulateCustomPolicy` answers), on policy
 * files. Exit status 0 when every action is allowed, 1 when one is denied, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './main.js';
import { contextFromEntries, simulate, type SimulationPolicy } from '../iam/simulate.js';
import { isAwsError } from '../errors/index.js';

const HELP = `usage: iamd simulate --policy FILE [--policy FILE…] --action ACTION [--action ACTION…]
                     [--resource ARN…] [--boundary FILE…] [--scp FILE…] [--resource-policy FILE]
                     [--caller ARN] [--resource-owner ACCOUNT|ARN] [--context KEY=TYPE:VALUE[,VALUE…]…] [--json]

Prints one line per action and resource: allowed, explicitDeny or implicitDeny, with the matched
statements (policy file, line:column). --json prints the SimulateCustomPolicy EvaluationResults.
TYPE is a ContextKeyType (string, stringList, numeric, boolean, date, ip, …).`;

function files(list: readonly string[] | undefined, type: SimulationPolicy['type']): SimulationPolicy[] {
  return (list ?? []).map((f) => ({ id: f, type, text: readFileSync(f, 'utf8') }));
}

/** `iamd simulate`. */
export const simulateCommand: Command = {
  summary: 'simulate policies (like the IAM policy simulator)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        policy: { type: 'string', multiple: true },
        action: { type: 'string', multiple: true },
        resource: { type: 'string', multiple: true },
        boundary: { type: 'string', multiple: true },
        scp: { type: 'string', multiple: true },
        'resource-policy': { type: 'string' },
        caller: { type: 'string' },
        'resource-owner': { type: 'string' },
        context: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || !values.action || (!values.policy && !values['resource-policy'])) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    try {
      const entries = (values.context ?? []).map((c) => {
        const m = /^([^=]+)=([A-Za-z]+):(.*)$/.exec(c);
        if (!m) throw new Error(`--context \`${c}\` is not KEY=TYPE:VALUE`);
        return { ContextKeyName: m[1], ContextKeyType: m[2], ContextKeyValues: m[3]!.split(',') };
      });
      const caller = values.caller ?? 'arn:aws:iam::123456789012:user/iamd-simulated-caller';
      const account = caller.split(':')[4] ?? '';
      const rp = values['resource-policy'];
      const results = simulate({
        identity: files(values.policy, 'none'),
        boundaries: files(values.boundary, 'none'),
        // Each --scp file is one organization level, root first.
        organizations: files(values.scp, 'none').map((f) => [f]),
        resourcePolicy:
          rp !== undefined ? { id: rp, type: 'resource', text: readFileSync(rp, 'utf8') } : undefined,
        actions: values.action,
        resources: values.resource ?? ['*'],
        principal: { kind: 'AWS', arn: caller, account },
        resourceOwner: values['resource-owner'],
        context: contextFromEntries(entries),
      });
      if (values.json) console.log(JSON.stringify({ EvaluationResults: results }, null, 2));
      else
        for (const r of results) {
          const matched = (
            r.MatchedStatements as {
              SourcePolicyId: string;
              StartPosition?: { Line: number; Column: number };
            }[]
          )
            .map(
              (m) =>
                `${m.SourcePolicyId}${m.StartPosition ? `:${m.StartPosition.Line}:${m.StartPosition.Column}` : ''}`,
            )
            .join(', ');
          const missing = (r.MissingContextValues as string[]).join(', ');
          console.log(
            `${String(r.EvalDecision).padEnd(12)} ${String(r.EvalActionName)} on ${String(r.EvalResourceName)}` +
              (matched ? `  [${matched}]` : '') +
              (missing ? `  missing context: ${missing}` : ''),
          );
        }
      return results.every((r) => r.EvalDecision === 'allowed') ? 0 : 1;
    } catch (err) {
      console.error(`iamd simulate: ${isAwsError(err) || err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
  },
};
