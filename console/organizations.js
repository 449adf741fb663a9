/* global document */
// The Organizations page (issue 19): root → OUs → accounts as a tree, each node with its attached
// policies, and for a chosen account the SCPs and RCPs that apply to it with the level they come from.
// Everything comes from POST /console/api/organization, which reads with the caller's own permissions.
import { h, consoleApi, inlineCode } from './lib.js';

const TYPE_LABEL = { SERVICE_CONTROL_POLICY: 'SCP', RESOURCE_CONTROL_POLICY: 'RCP' };

function policyChips(policies) {
  if (policies.length === 0) return h('span', { class: 'muted' }, 'no policies');
  return h(
    'span',
    { class: 'org-policies' },
    ...policies.map((p) =>
      h(
        'span',
        { class: 'badge', title: `${p.type} ${p.id}`, 'data-policy-id': p.id },
        `${TYPE_LABEL[p.type] ?? p.type}: ${p.name}`,
      ),
    ),
  );
}

function treeNode(node, choose) {
  const label =
    node.type === 'ACCOUNT'
      ? h(
          'button',
          { type: 'button', class: 'link', 'data-account': node.id, onclick: () => choose(node.id) },
          `${node.name} (${node.id})`,
        )
      : h('strong', {}, node.type === 'ROOT' ? `Root (${node.id})` : `${node.name} (${node.id})`);
  const item = h(
    'li',
    { 'data-node': node.id, 'data-type': node.type },
    label,
    ' ',
    policyChips(node.policies),
  );
  if (node.children.length > 0) item.append(h('ul', {}, ...node.children.map((c) => treeNode(c, choose))));
  return item;
}

function failure(r) {
  return h(
    'div',
    { class: 'error', role: 'alert', id: 'org-error' },
    h('strong', {}, r.error?.code ?? 'Error'),
    ': ',
    r.error?.message ?? `HTTP ${r.status}`,
  );
}

async function organizationPage() {
  const main = document.getElementById('main');
  const out = h('div', { id: 'org-view' }, h('p', { class: 'muted' }, 'Loading…'));
  const applied = h('section', { id: 'org-applied' });
  main.replaceChildren(h('h1', {}, 'Organization'), out, applied);
  const choose = async (account) => {
    const r = await consoleApi('organization', { account });
    if (!r.ok) {
      applied.replaceChildren(failure(r));
      return;
    }
    applied.replaceChildren(
      h('h2', {}, 'Policies that apply to ', inlineCode(account)),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'Level'), h('th', {}, 'Target'), h('th', {}, 'SCPs and RCPs')),
        ),
        h(
          'tbody',
          {},
          ...r.applied.levels.map((l) =>
            h(
              'tr',
              { 'data-level': l.level, 'data-target': l.targetId },
              h('td', {}, l.level === 'ou' ? 'OU' : l.level === 'root' ? 'Root' : 'Account'),
              h('td', {}, l.path),
              h('td', {}, policyChips(l.policies)),
            ),
          ),
        ),
      ),
    );
  };
  const r = await consoleApi('organization', {});
  if (!r.ok) {
    out.replaceChildren(failure(r));
    return;
  }
  out.replaceChildren(
    h(
      'p',
      { class: 'muted' },
      `Organization ${r.organizationId}, managed by ${r.managementAccount}. Enabled policy types: ${
        r.enabledPolicyTypes.join(', ') || 'none'
      }. Choose an account to see the policies that apply to it.`,
    ),
    h(
      'ul',
      { class: 'org-tree', id: 'org-tree' },
      treeNode(r.tree, (a) => void choose(a)),
    ),
  );
}

export const organizationRoutes = [[/^\/console\/organization$/, organizationPage]];
