/* global document, window, performance */
// Entity pages: users, groups, roles, policies, instance profiles, identity providers, MFA devices.
// Every read and change is an IAM API call made with the session's credentials (lib.js `iam`).
import {
  state,
  h,
  iam,
  attempt,
  table,
  link,
  when,
  asList,
  field,
  formValues,
  members,
  policyEditor,
  prettyPolicy,
  errorBox,
  consoleApi,
} from './lib.js';

const go = (href) => window.dispatchEvent(new window.CustomEvent('iamd:navigate', { detail: href }));
const enc = encodeURIComponent;

function page(title, ...children) {
  document.title = `${title} · iamd console`;
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', {}, title), ...children);
  main.focus({ preventScroll: true });
}

/** A button that runs `fn` (after `confirmText`, if given) and reports errors into `where`. */
function action(text, where, fn, opts = {}) {
  return h(
    'button',
    {
      type: 'button',
      class: opts.danger ? 'danger' : undefined,
      onclick: async () => {
        if (opts.confirm && !window.confirm(opts.confirm)) return;
        const r = await attempt(where, fn);
        if (r !== undefined && opts.then) opts.then(r);
      },
    },
    text,
  );
}

/** A generic list page: a filter box, a table, a create form; timings shown (issue 10: "state the figures"). */
async function listPage({ title, load, columns, create, empty }) {
  const out = h('div', { 'aria-live': 'polite' });
  const msg = h('div', {});
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter (press /)',
    'aria-label': 'Filter',
    id: 'filter',
  });
  page(
    title,
    h('div', { class: 'toolbar' }, filter, create ? h('span', {}, ' ') : ''),
    create ? create(msg) : '',
    msg,
    out,
  );
  const started = performance.now();
  const rows = await attempt(out, load);
  if (rows === undefined) return;
  const ms = Math.round(performance.now() - started);
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    const shown = f ? rows.filter((r) => JSON.stringify(r).toLowerCase().includes(f)) : rows;
    out.replaceChildren(
      h('p', { class: 'muted' }, `${shown.length} of ${rows.length} · loaded in ${ms} ms`),
      table(shown, columns, empty),
    );
  };
  filter.addEventListener('input', draw);
  draw();
}

/** Follows IsTruncated/Marker to read a whole list. */
async function all(actionName, params, key) {
  const out = [];
  let marker;
  for (let i = 0; i < 50; i++) {
    const r = await iam(actionName, { ...params, ...(marker ? { Marker: marker } : {}) });
    out.push(...asList(r[key]));
    if (r.IsTruncated !== 'true') break;
    marker = r.Marker;
  }
  return out;
}

const trustTemplate = () =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: state.session.identity.arn }, Action: 'sts:AssumeRole' },
      ],
    },
    null,
    2,
  );
const policyTemplate = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] },
  null,
  2,
);

/** A "Create" form in a <details> so it stays out of the way until opened. */
function createForm(summary, id, fields, submit, msg) {
  const form = h(
    'form',
    { class: 'stack', id },
    ...fields,
    h('button', { class: 'primary', type: 'submit' }, summary),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await attempt(msg, () => submit(form));
  });
  return h('details', { class: 'card' }, h('summary', {}, summary), form);
}

// ---- users -------------------------------------------------------------------------------------

function usersPage() {
  return listPage({
    title: 'Users',
    load: () => all('ListUsers', {}, 'Users'),
    columns: [
      ['User name', (u) => link(`/console/users/${enc(u.UserName)}`, u.UserName)],
      ['Path', (u) => u.Path],
      ['Created', (u) => when(u.CreateDate)],
      ['Password last used', (u) => when(u.PasswordLastUsed)],
      ['ARN', (u) => h('span', { class: 'mono' }, u.Arn)],
    ],
    create: (msg) =>
      createForm(
        'Create user',
        'create-user',
        [
          field('User name', 'UserName', { required: true }),
          field('Console password (optional)', 'Password', {
            type: 'password',
            autocomplete: 'new-password',
          }),
        ],
        async (form) => {
          const v = formValues(form);
          await iam('CreateUser', { UserName: v.UserName });
          if (v.Password) await iam('CreateLoginProfile', { UserName: v.UserName, Password: v.Password });
          go(`/console/users/${enc(v.UserName)}`);
        },
        msg,
      ),
  });
}

async function userPage(m) {
  const name = decodeURIComponent(m[1]);
  const msg = h('div', {});
  const out = h('div', {});
  page(`User ${name}`, msg, out);
  const r = await attempt(out, () => iam('GetUser', { UserName: name }));
  if (!r) return;
  const u = r.User;
  const reload = () => go(`/console/users/${enc(name)}`);
  const keys = h('div', {});
  out.append(
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'grid2' },
        h('dt', {}, 'ARN'),
        h('dd', { class: 'mono' }, u.Arn),
        h('dt', {}, 'User ID'),
        h('dd', { class: 'mono' }, u.UserId),
        h('dt', {}, 'Created'),
        h('dd', {}, when(u.CreateDate)),
        h('dt', {}, 'Password last used'),
        h('dd', {}, when(u.PasswordLastUsed) || 'never'),
      ),
    ),
    h(
      'div',
      { class: 'toolbar' },
      action(
        'Delete user',
        msg,
        async () => {
          await iam('DeleteUser', { UserName: name });
          go('/console/users');
        },
        {
          danger: true,
          confirm: `Delete user ${name}? (Remove its keys, password, policies and groups first.)`,
        },
      ),
    ),
  );
  out.append(h('h2', {}, 'Permissions'), await policiesSection('User', { UserName: name }, msg, reload));
  out.append(
    h('h2', {}, 'Groups'),
    await section(msg, async () =>
      table(await all('ListGroupsForUser', { UserName: name }, 'Groups'), [
        ['Group', (g) => link(`/console/groups/${enc(g.GroupName)}`, g.GroupName)],
        [
          '',
          (g) =>
            action(
              'Remove',
              msg,
              () => iam('RemoveUserFromGroup', { UserName: name, GroupName: g.GroupName }),
              { then: reload },
            ),
        ],
      ]),
    ),
  );
  out.append(h('h2', {}, 'Access keys'), keys);
  const list = await attempt(keys, () => iam('ListAccessKeys', { UserName: name }));
  if (list) {
    const shown = h('div', { 'aria-live': 'polite' });
    keys.replaceChildren(
      table(
        asList(list.AccessKeyMetadata),
        [
          ['Access key ID', (k) => h('span', { class: 'mono' }, k.AccessKeyId)],
          ['Status', (k) => k.Status],
          ['Created', (k) => when(k.CreateDate)],
          [
            '',
            (k) => [
              action(
                k.Status === 'Active' ? 'Deactivate' : 'Activate',
                msg,
                () =>
                  iam('UpdateAccessKey', {
                    UserName: name,
                    AccessKeyId: k.AccessKeyId,
                    Status: k.Status === 'Active' ? 'Inactive' : 'Active',
                  }),
                { then: reload },
              ),
              ' ',
              action(
                'Delete',
                msg,
                () => iam('DeleteAccessKey', { UserName: name, AccessKeyId: k.AccessKeyId }),
                { danger: true, confirm: `Delete ${k.AccessKeyId}?`, then: reload },
              ),
            ],
          ],
        ],
        'No access keys.',
      ),
      action('Create access key', msg, async () => {
        const c = await iam('CreateAccessKey', { UserName: name });
        // Shown once: the secret is never retrievable again (as on AWS).
        shown.replaceChildren(
          h(
            'div',
            { class: 'notice', id: 'new-key' },
            h('strong', {}, 'Save the secret access key now; it will not be shown again.'),
            h(
              'dl',
              { class: 'grid2' },
              h('dt', {}, 'Access key ID'),
              h('dd', { class: 'mono' }, c.AccessKey.AccessKeyId),
              h('dt', {}, 'Secret access key'),
              h('dd', { class: 'mono' }, c.AccessKey.SecretAccessKey),
            ),
          ),
        );
      }),
      shown,
    );
  }
  out.append(
    h('h2', {}, 'Console password'),
    await section(msg, async () => {
      try {
        const p = await iam('GetLoginProfile', { UserName: name });
        return h(
          'div',
          {},
          `Set ${when(p.LoginProfile.CreateDate)}. `,
          action('Remove console password', msg, () => iam('DeleteLoginProfile', { UserName: name }), {
            danger: true,
            then: reload,
          }),
        );
      } catch (e) {
        if (e.code !== 'NoSuchEntity') throw e;
        const form = h(
          'form',
          { class: 'inline' },
          field('New password', 'Password', {
            type: 'password',
            required: true,
            autocomplete: 'new-password',
          }),
          h('button', { type: 'submit' }, 'Enable console access'),
        );
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          if (
            await attempt(msg, () =>
              iam('CreateLoginProfile', { UserName: name, Password: formValues(form).Password }),
            )
          )
            reload();
        });
        return form;
      }
    }),
  );
  out.append(
    h('h2', {}, 'MFA devices'),
    await section(msg, async () =>
      table(
        asList((await iam('ListMFADevices', { UserName: name })).MFADevices),
        [
          ['Serial number', (d) => h('span', { class: 'mono' }, d.SerialNumber)],
          ['Enabled', (d) => when(d.EnableDate)],
          [
            '',
            (d) =>
              action(
                'Deactivate',
                msg,
                () => iam('DeactivateMFADevice', { UserName: name, SerialNumber: d.SerialNumber }),
                { then: reload },
              ),
          ],
        ],
        'No MFA device. Set one up on the MFA page.',
      ),
    ),
  );
}

/** Renders `fn()` or its error. */
async function section(msg, fn) {
  const box = h('div', {});
  try {
    box.append(await fn());
  } catch (e) {
    box.append(errorBox(e));
  }
  return box;
}

/** Attached and inline policies of a user, group or role (`kind` = `User` | `Group` | `Role`). */
async function policiesSection(kind, who, msg, reload) {
  const box = h('div', {});
  const attached = await attempt(box, () => all(`ListAttached${kind}Policies`, who, 'AttachedPolicies'));
  if (attached === undefined) return box;
  const inline = (await attempt(box, () => all(`List${kind}Policies`, who, 'PolicyNames'))) ?? [];
  const attachForm = h(
    'form',
    { class: 'inline' },
    field('Attach managed policy (ARN)', 'PolicyArn', {
      size: 50,
      placeholder: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      required: true,
    }),
    h('button', { type: 'submit' }, 'Attach'),
  );
  attachForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (
      await attempt(msg, () =>
        iam(`Attach${kind}Policy`, { ...who, PolicyArn: formValues(attachForm).PolicyArn }),
      )
    )
      reload();
  });
  const editorMsg = h('div', {});
  let valid = true;
  const editor = policyEditor(policyTemplate, 'identity', (ok) => {
    valid = ok;
    save.disabled = !ok;
  });
  const nameInput = h('input', { name: 'PolicyName', required: true, 'aria-label': 'Inline policy name' });
  const save = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        if (!valid) return;
        if (
          await attempt(editorMsg, () =>
            iam(`Put${kind}Policy`, { ...who, PolicyName: nameInput.value, PolicyDocument: editor.value }),
          )
        )
          reload();
      },
    },
    'Save inline policy',
  );
  box.append(
    table(
      attached,
      [
        ['Managed policy', (p) => link(`/console/policies/${enc(p.PolicyArn)}`, p.PolicyName)],
        ['ARN', (p) => h('span', { class: 'mono' }, p.PolicyArn)],
        [
          '',
          (p) =>
            action('Detach', msg, () => iam(`Detach${kind}Policy`, { ...who, PolicyArn: p.PolicyArn }), {
              then: reload,
            }),
        ],
      ],
      'No managed policies attached.',
    ),
    attachForm,
    h('h2', {}, 'Inline policies'),
    table(
      inline,
      [
        ['Name', (n) => n],
        [
          '',
          (n) => [
            action('Edit', msg, async () => {
              const r = await iam(`Get${kind}Policy`, { ...who, PolicyName: n });
              nameInput.value = n;
              editor.value = prettyPolicy(r.PolicyDocument);
              details.open = true;
            }),
            ' ',
            action('Delete', msg, () => iam(`Delete${kind}Policy`, { ...who, PolicyName: n }), {
              danger: true,
              then: reload,
            }),
          ],
        ],
      ],
      'No inline policies.',
    ),
  );
  const details = h(
    'details',
    { class: 'card' },
    h('summary', {}, 'Add or edit an inline policy'),
    h('label', {}, 'Name ', nameInput),
    editor.element,
    save,
    editorMsg,
  );
  box.append(details);
  return box;
}

// ---- groups ------------------------------------------------------------------------------------

function groupsPage() {
  return listPage({
    title: 'Groups',
    load: () => all('ListGroups', {}, 'Groups'),
    columns: [
      ['Group name', (g) => link(`/console/groups/${enc(g.GroupName)}`, g.GroupName)],
      ['Created', (g) => when(g.CreateDate)],
      ['ARN', (g) => h('span', { class: 'mono' }, g.Arn)],
    ],
    create: (msg) =>
      createForm(
        'Create group',
        'create-group',
        [field('Group name', 'GroupName', { required: true })],
        async (form) => {
          const v = formValues(form);
          await iam('CreateGroup', { GroupName: v.GroupName });
          go(`/console/groups/${enc(v.GroupName)}`);
        },
        msg,
      ),
  });
}

async function groupPage(m) {
  const name = decodeURIComponent(m[1]);
  const msg = h('div', {});
  const out = h('div', {});
  page(`Group ${name}`, msg, out);
  const r = await attempt(out, () => iam('GetGroup', { GroupName: name }));
  if (!r) return;
  const reload = () => go(`/console/groups/${enc(name)}`);
  const addForm = h(
    'form',
    { class: 'inline' },
    field('Add user', 'UserName', { required: true }),
    h('button', { type: 'submit' }, 'Add'),
  );
  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (
      await attempt(msg, () =>
        iam('AddUserToGroup', { GroupName: name, UserName: formValues(addForm).UserName }),
      )
    )
      reload();
  });
  out.append(
    h('p', { class: 'mono' }, r.Group.Arn),
    h(
      'div',
      { class: 'toolbar' },
      action(
        'Delete group',
        msg,
        async () => {
          await iam('DeleteGroup', { GroupName: name });
          go('/console/groups');
        },
        { danger: true, confirm: `Delete group ${name}?` },
      ),
    ),
    h('h2', {}, 'Members'),
    table(
      asList(r.Users),
      [
        ['User', (u) => link(`/console/users/${enc(u.UserName)}`, u.UserName)],
        [
          '',
          (u) =>
            action(
              'Remove',
              msg,
              () => iam('RemoveUserFromGroup', { GroupName: name, UserName: u.UserName }),
              { then: reload },
            ),
        ],
      ],
      'No members.',
    ),
    addForm,
    h('h2', {}, 'Permissions'),
    await policiesSection('Group', { GroupName: name }, msg, reload),
  );
}

// ---- roles -------------------------------------------------------------------------------------

function rolesPage() {
  return listPage({
    title: 'Roles',
    load: () => all('ListRoles', {}, 'Roles'),
    columns: [
      ['Role name', (r) => link(`/console/roles/${enc(r.RoleName)}`, r.RoleName)],
      ['Trusted entities', (r) => trustedSummary(r.AssumeRolePolicyDocument)],
      ['Created', (r) => when(r.CreateDate)],
      ['Max session', (r) => `${r.MaxSessionDuration ?? 3600} s`],
    ],
    create: (msg) => {
      let valid = true;
      const editor = policyEditor(trustTemplate(), 'trust', (ok) => {
        valid = ok;
      });
      return createForm(
        'Create role',
        'create-role',
        [
          field('Role name', 'RoleName', { required: true, id: 'role-name' }),
          h('label', {}, 'Trust policy (who may assume the role)', editor.element),
          field('Attach managed policy ARN (optional)', 'PolicyArn', {
            size: 50,
            placeholder: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          }),
        ],
        async (form) => {
          if (!valid) throw new Error('the trust policy has errors');
          const v = formValues(form);
          await iam('CreateRole', { RoleName: v.RoleName, AssumeRolePolicyDocument: editor.value });
          if (v.PolicyArn) await iam('AttachRolePolicy', { RoleName: v.RoleName, PolicyArn: v.PolicyArn });
          go(`/console/roles/${enc(v.RoleName)}`);
        },
        msg,
      );
    },
  });
}

function trustedSummary(doc) {
  try {
    const d = JSON.parse(prettyPolicy(doc));
    const out = [];
    for (const s of [d.Statement].flat()) {
      const p = s?.Principal;
      if (typeof p === 'string') out.push(p);
      else if (p) for (const [k, v] of Object.entries(p)) out.push(...[v].flat().map((x) => `${k}: ${x}`));
    }
    return h('span', { class: 'mono' }, out.join(', '));
  } catch {
    return '';
  }
}

async function rolePage(m) {
  const name = decodeURIComponent(m[1]);
  const msg = h('div', {});
  const out = h('div', {});
  page(`Role ${name}`, msg, out);
  const r = await attempt(out, () => iam('GetRole', { RoleName: name }));
  if (!r) return;
  const role = r.Role;
  const reload = () => go(`/console/roles/${enc(name)}`);
  const account = role.Arn.split(':')[4];
  const switchUrl = `/console/switchrole?account=${account}&roleName=${enc(role.RoleName)}&displayName=${enc(`${role.RoleName} @ ${account}`)}`;
  const panel = h('div', { role: 'tabpanel' });
  const tabs = [
    ['Permissions', async () => policiesSection('Role', { RoleName: name }, msg, reload)],
    ['Trust relationships', async () => trustTab(role, msg, reload)],
    ['Who can assume', async () => whoCanAssumeTab(role)],
  ];
  const tabBar = h('div', { class: 'tabs', role: 'tablist' });
  const show = async (i) => {
    for (const [j, b] of [...tabBar.children].entries()) b.setAttribute('aria-selected', String(i === j));
    panel.replaceChildren(await tabs[i][1]());
  };
  tabs.forEach(([t], i) =>
    tabBar.append(h('button', { type: 'button', role: 'tab', id: `tab-${i}`, onclick: () => show(i) }, t)),
  );
  out.append(
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'grid2' },
        h('dt', {}, 'ARN'),
        h('dd', { class: 'mono', id: 'role-arn' }, role.Arn),
        h('dt', {}, 'Role ID'),
        h('dd', { class: 'mono' }, role.RoleId),
        h('dt', {}, 'Max session'),
        h('dd', {}, `${role.MaxSessionDuration} s`),
        h('dt', {}, 'Switch-role link'),
        h('dd', {}, link(switchUrl, `${window.location.origin}${switchUrl}`)),
        h('dt', {}, 'Last used'),
        h('dd', {}, when(role.RoleLastUsed?.LastUsedDate) || 'never'),
      ),
    ),
    h(
      'div',
      { class: 'toolbar' },
      action(
        'Delete role',
        msg,
        async () => {
          await iam('DeleteRole', { RoleName: name });
          go('/console/roles');
        },
        { danger: true, confirm: `Delete role ${name}? (Detach its policies first.)` },
      ),
    ),
    tabBar,
    panel,
  );
  await show(0);
}

function trustTab(role, msg, reload) {
  const editorMsg = h('div', {});
  let valid = true;
  const editor = policyEditor(prettyPolicy(role.AssumeRolePolicyDocument), 'trust', (ok) => {
    valid = ok;
    save.disabled = !ok;
  });
  const save = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        if (
          valid &&
          (await attempt(editorMsg, () =>
            iam('UpdateAssumeRolePolicy', { RoleName: role.RoleName, PolicyDocument: editor.value }),
          ))
        )
          reload();
      },
    },
    'Update trust policy',
  );
  return h('div', {}, editor.element, save, editorMsg);
}

/**
 * Who can assume this role: the server's who-can-assume analysis (`GET /_iamd/who-can-assume`, called
 * through the console API with the session's credentials), with the chain of roles and the conditions
 * that still apply. When the caller may not run the analysis, the principals the trust policy names.
 */
async function whoCanAssumeTab(role) {
  const box = h('div', {});
  const r = await consoleApi('who-can-assume', { roleArn: role.Arn });
  let answer;
  try {
    answer = r.status === 200 ? JSON.parse(r.body) : undefined;
  } catch {
    answer = undefined;
  }
  if (answer && Array.isArray(answer.Principals)) {
    box.append(
      h(
        'div',
        { id: 'who-can-assume' },
        table(
          answer.Principals,
          [
            ['Principal', (p) => h('span', { class: 'mono' }, p.principal.id)],
            ['Kind', (p) => p.principal.kind],
            [
              'Through',
              (p) =>
                p.path.length > 1
                  ? p.path
                      .slice(0, -1)
                      .map((e) => e.role)
                      .join(' → ')
                  : 'directly',
            ],
            [
              'Conditions that still apply',
              (p) =>
                p.path
                  .flatMap((e) => e.conditions)
                  .map((c) => `${c.operator} ${c.key} ${c.values.join(', ')}`)
                  .join('; ') || 'none',
            ],
          ],
          'Nobody can assume this role.',
        ),
      ),
    );
    return box;
  }
  let reason = `HTTP ${r.status}`;
  try {
    reason = JSON.parse(r.body).message ?? reason;
  } catch {
    // keep the status
  }
  box.append(
    h('p', { class: 'muted' }, `The who-can-assume analysis is not available to you (${reason}).`),
    h('p', {}, 'Principals named by the trust policy:'),
    trustedSummary(role.AssumeRolePolicyDocument),
  );
  return box;
}

// ---- policies ----------------------------------------------------------------------------------

function policiesPage() {
  const scope = new window.URLSearchParams(window.location.search).get('scope') === 'AWS' ? 'AWS' : 'Local';
  return listPage({
    title: scope === 'AWS' ? 'AWS managed policies' : 'Customer managed policies',
    load: () => all('ListPolicies', { Scope: scope, MaxItems: '1000' }, 'Policies'),
    columns: [
      ['Policy name', (p) => link(`/console/policies/${enc(p.Arn)}`, p.PolicyName)],
      ['Attachments', (p) => p.AttachmentCount],
      ['Default version', (p) => p.DefaultVersionId],
      ['Updated', (p) => when(p.UpdateDate)],
    ],
    create: (msg) => {
      let valid = true;
      const editor = policyEditor(policyTemplate, 'identity', (ok) => {
        valid = ok;
      });
      return h(
        'div',
        {},
        h(
          'p',
          {},
          scope === 'AWS'
            ? link('/console/policies', 'Show customer managed policies')
            : link('/console/policies?scope=AWS', 'Show AWS managed policies'),
        ),
        createForm(
          'Create policy',
          'create-policy',
          [
            field('Policy name', 'PolicyName', { required: true }),
            h('label', {}, 'Policy document', editor.element),
          ],
          async (form) => {
            if (!valid) throw new Error('the policy has errors');
            const r = await iam('CreatePolicy', {
              PolicyName: formValues(form).PolicyName,
              PolicyDocument: editor.value,
            });
            go(`/console/policies/${enc(r.Policy.Arn)}`);
          },
          msg,
        ),
      );
    },
  });
}

async function policyPage(m) {
  const arn = decodeURIComponent(m[1]);
  const msg = h('div', {});
  const out = h('div', {});
  page('Policy', msg, out);
  const r = await attempt(out, () => iam('GetPolicy', { PolicyArn: arn }));
  if (!r) return;
  const p = r.Policy;
  const v = await attempt(out, () =>
    iam('GetPolicyVersion', { PolicyArn: arn, VersionId: p.DefaultVersionId }),
  );
  if (!v) return;
  const reload = () => go(`/console/policies/${enc(arn)}`);
  const editorMsg = h('div', {});
  let valid = true;
  const local = !arn.startsWith('arn:aws:iam::aws:');
  const editor = policyEditor(prettyPolicy(v.PolicyVersion.Document), 'identity', (ok) => {
    valid = ok;
    save.disabled = !ok || !local;
  });
  const save = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        if (
          valid &&
          (await attempt(editorMsg, () =>
            iam('CreatePolicyVersion', {
              PolicyArn: arn,
              PolicyDocument: editor.value,
              SetAsDefault: 'true',
            }),
          ))
        )
          reload();
      },
    },
    'Save as new default version',
  );
  out.append(
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'grid2' },
        h('dt', {}, 'Name'),
        h('dd', {}, p.PolicyName),
        h('dt', {}, 'ARN'),
        h('dd', { class: 'mono' }, p.Arn),
        h('dt', {}, 'Default version'),
        h('dd', {}, p.DefaultVersionId),
        h('dt', {}, 'Attachments'),
        h('dd', {}, p.AttachmentCount),
      ),
    ),
    local
      ? h(
          'div',
          { class: 'toolbar' },
          action(
            'Delete policy',
            msg,
            async () => {
              await iam('DeletePolicy', { PolicyArn: arn });
              go('/console/policies');
            },
            { danger: true, confirm: 'Delete this policy? (Detach it and delete old versions first.)' },
          ),
        )
      : '',
    h('h2', {}, 'Document'),
    editor.element,
    local ? save : h('p', { class: 'muted' }, 'AWS managed policies cannot be changed.'),
    editorMsg,
  );
}

// ---- instance profiles, providers, MFA ---------------------------------------------------------

function instanceProfilesPage() {
  let reload = () => go('/console/instance-profiles');
  return listPage({
    title: 'Instance profiles',
    load: () => all('ListInstanceProfiles', {}, 'InstanceProfiles'),
    columns: [
      ['Name', (p) => p.InstanceProfileName],
      [
        'Roles',
        (p) =>
          asList(p.Roles)
            .map((r) => r.RoleName)
            .join(', '),
      ],
      ['Created', (p) => when(p.CreateDate)],
      [
        '',
        (p) => {
          const msg = h('span', {});
          const form = h(
            'form',
            { class: 'inline' },
            h('input', {
              name: 'RoleName',
              placeholder: 'role name',
              'aria-label': `Role for ${p.InstanceProfileName}`,
              size: 14,
            }),
            h('button', { type: 'submit' }, asList(p.Roles).length ? 'Remove role' : 'Add role'),
          );
          form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            const role = asList(p.Roles)[0]?.RoleName;
            const ok = role
              ? await attempt(msg, () =>
                  iam('RemoveRoleFromInstanceProfile', {
                    InstanceProfileName: p.InstanceProfileName,
                    RoleName: role,
                  }),
                )
              : await attempt(msg, () =>
                  iam('AddRoleToInstanceProfile', {
                    InstanceProfileName: p.InstanceProfileName,
                    RoleName: formValues(form).RoleName,
                  }),
                );
            if (ok) reload();
          });
          return [
            form,
            action(
              'Delete',
              msg,
              () => iam('DeleteInstanceProfile', { InstanceProfileName: p.InstanceProfileName }),
              { danger: true, then: reload },
            ),
            msg,
          ];
        },
      ],
    ],
    create: (msg) =>
      createForm(
        'Create instance profile',
        'create-ip',
        [field('Name', 'InstanceProfileName', { required: true })],
        async (form) => {
          await iam('CreateInstanceProfile', formValues(form));
          reload();
        },
        msg,
      ),
  });
}

async function providersPage() {
  const msg = h('div', {});
  const out = h('div', {});
  const reload = () => go('/console/providers');
  const form = createForm(
    'Add OpenID Connect provider',
    'create-oidc',
    [
      field('Provider URL (https://…)', 'Url', { required: true }),
      field('Audience (client id)', 'aud', { required: true }),
    ],
    async (f) => {
      const v = formValues(f);
      await iam('CreateOpenIDConnectProvider', { Url: v.Url, ...members('ClientIDList', [v.aud]) });
      reload();
    },
    msg,
  );
  page('Identity providers', form, msg, out);
  out.append(
    h('h2', {}, 'OpenID Connect'),
    await section(msg, async () =>
      table(
        asList((await iam('ListOpenIDConnectProviders')).OpenIDConnectProviderList),
        [
          ['ARN', (p) => h('span', { class: 'mono' }, p.Arn)],
          [
            '',
            (p) =>
              action(
                'Delete',
                msg,
                () => iam('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: p.Arn }),
                { danger: true, then: reload },
              ),
          ],
        ],
        'No OIDC providers.',
      ),
    ),
  );
  out.append(
    h('h2', {}, 'SAML'),
    await section(msg, async () =>
      table(
        asList((await iam('ListSAMLProviders')).SAMLProviderList),
        [
          ['ARN', (p) => h('span', { class: 'mono' }, p.Arn)],
          ['Valid until', (p) => when(p.ValidUntil)],
          [
            '',
            (p) =>
              action('Delete', msg, () => iam('DeleteSAMLProvider', { SAMLProviderArn: p.Arn }), {
                danger: true,
                then: reload,
              }),
          ],
        ],
        'No SAML providers.',
      ),
    ),
  );
}

async function mfaPage() {
  const msg = h('div', {});
  const out = h('div', {});
  const reload = () => go('/console/mfa');
  const setup = h('div', { 'aria-live': 'polite' });
  const form = createForm(
    'Create virtual MFA device',
    'create-mfa',
    [field('Device name', 'VirtualMFADeviceName', { required: true })],
    async (f) => {
      const c = await iam('CreateVirtualMFADevice', formValues(f));
      const d = c.VirtualMFADevice;
      const enable = h(
        'form',
        { class: 'stack', id: 'enable-mfa' },
        field('User name', 'UserName', { required: true, value: state.session.identity.userName ?? '' }),
        field('First code', 'AuthenticationCode1', {
          required: true,
          inputmode: 'numeric',
          pattern: '[0-9]{6}',
        }),
        field('Next code', 'AuthenticationCode2', {
          required: true,
          inputmode: 'numeric',
          pattern: '[0-9]{6}',
        }),
        h('button', { class: 'primary', type: 'submit' }, 'Assign to user'),
      );
      enable.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (
          await attempt(msg, () =>
            iam('EnableMFADevice', { ...formValues(enable), SerialNumber: d.SerialNumber }),
          )
        )
          reload();
      });
      setup.replaceChildren(
        h(
          'div',
          { class: 'card' },
          h(
            'p',
            {},
            'Scan the QR code with an authenticator app (or type the key), then enter two consecutive codes. The key is shown only now.',
          ),
          h('img', {
            class: 'qr',
            alt: 'QR code of the MFA secret',
            src: `data:image/png;base64,${d.QRCodePNG}`,
          }),
          h('p', {}, 'Secret key: ', h('span', { class: 'mono', id: 'mfa-seed' }, d.Base32StringSeed)),
          h('p', { class: 'mono' }, d.SerialNumber),
          enable,
        ),
      );
    },
    msg,
  );
  page('MFA devices', form, setup, msg, out);
  out.append(
    await section(msg, async () =>
      table(
        asList((await iam('ListVirtualMFADevices')).VirtualMFADevices),
        [
          ['Serial number', (d) => h('span', { class: 'mono' }, d.SerialNumber)],
          ['User', (d) => d.User?.UserName ?? (d.User ? 'root' : '(unassigned)')],
          ['Enabled', (d) => when(d.EnableDate)],
          [
            '',
            (d) =>
              d.User
                ? action(
                    'Deactivate',
                    msg,
                    () =>
                      iam('DeactivateMFADevice', { UserName: d.User.UserName, SerialNumber: d.SerialNumber }),
                    { then: reload },
                  )
                : action(
                    'Delete',
                    msg,
                    () => iam('DeleteVirtualMFADevice', { SerialNumber: d.SerialNumber }),
                    { danger: true, then: reload },
                  ),
          ],
        ],
        'No virtual MFA devices.',
      ),
    ),
  );
}

/** Routes of the entity pages, for app.js's router. */
export const entityRoutes = [
  [/^\/console\/users$/, usersPage],
  [/^\/console\/users\/([^/]+)$/, userPage],
  [/^\/console\/groups$/, groupsPage],
  [/^\/console\/groups\/([^/]+)$/, groupPage],
  [/^\/console\/roles$/, rolesPage],
  [/^\/console\/roles\/([^/]+)$/, rolePage],
  [/^\/console\/policies$/, policiesPage],
  [/^\/console\/policies\/(.+)$/, policyPage],
  [/^\/console\/instance-profiles$/, instanceProfilesPage],
  [/^\/console\/providers$/, providersPage],
  [/^\/console\/mfa$/, mfaPage],
];
