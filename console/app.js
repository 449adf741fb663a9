/* global document, window, localStorage, performance */
// The iamd console's entry point: session, header (who you act as, in the role's colour), router,
// sign-in, switch role, explanations, simulator and audit. Entity pages live in entities.js.
import {
  state,
  h,
  consoleApi,
  call,
  iam,
  sts,
  errorBox,
  ApiError,
  attempt,
  table,
  link,
  when,
  asList,
  inlineCode,
  field,
  formValues,
  members,
} from './lib.js';
import { entityRoutes } from './entities.js';
import { organizationRoutes } from './organizations.js';
import { delegationRoutes } from './delegation.js';

const main = document.getElementById('main');
const header = document.getElementById('header');
const RECENT_KEY = 'iamd-console-recent-roles';
const COLORS = [
  ['Red', '#b3261e'],
  ['Orange', '#c45500'],
  ['Yellow', '#8a6d00'],
  ['Green', '#2e7d32'],
  ['Blue', '#0a5fb4'],
];

/** Recent roles (AWS keeps the last five); no secrets, so the browser may keep them. */
function recentRoles() {
  try {
    const v = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(v) ? v.slice(0, 5) : [];
  } catch {
    return [];
  }
}
function rememberRole(r) {
  const list = recentRoles().filter((x) => !(x.account === r.account && x.roleName === r.roleName));
  list.unshift({ account: r.account, roleName: r.roleName, displayName: r.displayName, color: r.color });
  localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, 5)));
}

const NAV = [
  ['/console/users', 'Users'],
  ['/console/groups', 'Groups'],
  ['/console/roles', 'Roles'],
  ['/console/policies', 'Policies'],
  ['/console/instance-profiles', 'Instance profiles'],
  ['/console/providers', 'Identity providers'],
  ['/console/mfa', 'MFA'],
  ['/console/simulator', 'Simulator'],
  ['/console/audit', 'Audit'],
  ['/console/organization', 'Organization'],
];

function renderHeader() {
  const s = state.session;
  const brand = h('a', { class: 'brand', href: '/console', 'data-link': '' }, 'iamd console');
  if (!s.signedIn) {
    header.replaceChildren(brand);
    return;
  }
  const path = window.location.pathname;
  const nav = h(
    'nav',
    { 'aria-label': 'Main' },
    NAV.map(([href, text]) =>
      h('a', { href, 'data-link': '', 'aria-current': path.startsWith(href) ? 'page' : undefined }, text),
    ),
  );
  const sw = s.switched;
  const badge = h(
    'span',
    { class: 'badge', id: 'acting-as' },
    sw ? sw.displayName : `${s.identity.displayName} @ ${s.identity.account}`,
  );
  const who = h('div', { class: 'who' }, badge);
  if (sw) {
    badge.style.backgroundColor = sw.color;
    header.style.borderBottom = `4px solid ${sw.color}`;
    who.append(
      h('span', { class: 'arn', id: 'acting-arn', title: 'Acting as' }, sw.arn),
      h(
        'button',
        { type: 'button', id: 'switch-back', onclick: switchBack },
        `Back to ${s.identity.displayName}`,
      ),
    );
  } else {
    header.style.borderBottom = '';
    who.append(h('span', { class: 'arn', id: 'acting-arn' }, s.identity.arn));
  }
  if (s.identity.type !== 'Root')
    who.append(
      h(
        'a',
        { class: 'button', href: '/console/switchrole', 'data-link': '', id: 'switch-role-link' },
        'Switch role',
      ),
    );
  who.append(h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
  header.replaceChildren(brand, nav, who);
}

async function switchBack() {
  const r = await consoleApi('switchback', {});
  if (r.signedIn) state.session = r;
  renderHeader();
  navigate('/console');
}

async function signOut() {
  await consoleApi('signout', {});
  state.session = { signedIn: false, csrf: '' };
  const r = await consoleApi('session');
  state.session = r;
  navigate('/console/signin');
}

// ---- pages -------------------------------------------------------------------------------------

function page(title, ...children) {
  document.title = `${title} · iamd console`;
  main.replaceChildren(h('h1', {}, title), ...children);
  main.focus({ preventScroll: true });
}

function signInPage() {
  const errors = h('div', { 'aria-live': 'assertive' });
  const root = h('input', { type: 'checkbox', name: 'root', id: 'signin-root' });
  const userRow = field('IAM user name', 'userName', { autocomplete: 'username', id: 'signin-user' });
  const mfaRow = h(
    'label',
    { hidden: true },
    'MFA code',
    h('input', {
      name: 'mfaCode',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      id: 'signin-mfa',
      pattern: '[0-9]{6}',
    }),
  );
  root.addEventListener('change', () => {
    userRow.hidden = root.checked;
  });
  const form = h(
    'form',
    { class: 'stack signin', id: 'signin-form' },
    field('Account ID or alias', 'account', {
      required: true,
      autocomplete: 'organization',
      id: 'signin-account',
    }),
    h('label', { class: 'check' }, h('span', {}, root, ' Sign in as the account root user')),
    userRow,
    field('Password', 'password', {
      type: 'password',
      required: true,
      autocomplete: 'current-password',
      id: 'signin-password',
    }),
    mfaRow,
    h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    errors,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const r = await consoleApi('signin', {
      account: v.account,
      userName: v.userName ?? '',
      root: root.checked,
      password: v.password,
      mfaCode: v.mfaCode ?? '',
    });
    if (r.mfaRequired) {
      mfaRow.hidden = false;
      errors.replaceChildren(h('div', { class: 'warn' }, 'Enter the code from your MFA device.'));
      mfaRow.querySelector('input').focus();
      return;
    }
    if (!r.signedIn) {
      errors.replaceChildren(errorBox(r.error?.message ?? 'Sign-in failed'));
      return;
    }
    state.session = r;
    renderHeader();
    const next = new window.URLSearchParams(window.location.search).get('next');
    navigate(next && next.startsWith('/console/') && !next.startsWith('/console/signin') ? next : '/console');
  });
  page('Sign in', form);
  form.querySelector('input').focus();
}

async function homePage() {
  const out = h('div', {});
  page('Dashboard', out);
  const started = performance.now();
  const who = await attempt(out, () => sts('GetCallerIdentity'));
  if (!who) return;
  const s = state.session;
  out.append(
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'grid2' },
        h('dt', {}, 'Acting as'),
        h('dd', { class: 'mono', id: 'caller-arn' }, who.Arn),
        h('dt', {}, 'Account'),
        h('dd', {}, who.Account),
        h('dt', {}, 'Signed in as'),
        h('dd', { class: 'mono' }, s.identity.arn),
        h('dt', {}, 'MFA'),
        h('dd', {}, s.identity.mfa ? 'yes' : 'no'),
        // The console session (12 h for IAM users, 1 h for the root) is what ends; a switched role's
        // credentials are assumed for 1 h and re-assumed before they expire until then.
        h('dt', {}, 'Console session ends'),
        h('dd', { id: 'session-ends' }, when(s.expiresAt)),
        ...(s.switched
          ? [
              h('dt', {}, 'Role credentials'),
              h(
                'dd',
                { id: 'role-credentials' },
                'assumed for 1 hour at a time, renewed until the console session ends',
              ),
            ]
          : []),
      ),
    ),
  );
  if (s.passwordResetRequired) out.append(changePasswordCard());
  const summary = h('div', {});
  out.append(h('h2', {}, 'Account summary'), summary);
  const r = await attempt(summary, () => iam('GetAccountSummary'));
  if (r) {
    const map = r.SummaryMap ?? {};
    const keys = [
      'Users',
      'Groups',
      'Roles',
      'Policies',
      'InstanceProfiles',
      'MFADevices',
      'AccessKeysPerUserQuota',
    ];
    summary.replaceChildren(
      table(
        keys.filter((k) => k in map),
        [
          ['Item', (k) => k],
          ['Value', (k) => map[k]],
        ],
      ),
    );
  }
  out.append(h('p', { class: 'muted' }, `Loaded in ${Math.round(performance.now() - started)} ms.`));
}

function changePasswordCard() {
  const msg = h('div', {});
  const form = h(
    'form',
    { class: 'stack' },
    h('strong', {}, 'Your password must be changed.'),
    field('Current password', 'OldPassword', {
      type: 'password',
      required: true,
      autocomplete: 'current-password',
    }),
    field('New password', 'NewPassword', { type: 'password', required: true, autocomplete: 'new-password' }),
    h('button', { class: 'primary', type: 'submit' }, 'Change password'),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const ok = await attempt(msg, () => iam('ChangePassword', formValues(form)));
    if (ok) msg.replaceChildren(h('div', { class: 'notice' }, 'Password changed.'));
  });
  return form;
}

/** Switch role: the AWS form, prefilled from the AWS URL form `?account=&roleName=&displayName=&color=`. */
function switchRolePage() {
  const q = new window.URLSearchParams(window.location.search);
  const errors = h('div', { 'aria-live': 'assertive' });
  const color = (q.get('color') ?? '').replace(/^#/, '');
  const swatches = h(
    'div',
    { class: 'swatches', role: 'radiogroup', 'aria-label': 'Colour' },
    COLORS.map(([name, hex], i) => {
      const input = h('input', {
        type: 'radio',
        name: 'color',
        value: hex,
        checked: color ? hex.slice(1) === color.toLowerCase() : i === 3,
      });
      const sw = h('span', { class: 'swatch' });
      sw.style.backgroundColor = hex;
      return h('label', {}, input, sw, name);
    }),
  );
  if (/^[0-9a-fA-F]{6}$/.test(color) && !COLORS.some(([, hex]) => hex.slice(1) === color.toLowerCase())) {
    const sw = h('span', { class: 'swatch' });
    sw.style.backgroundColor = `#${color}`;
    swatches.append(
      h(
        'label',
        {},
        h('input', { type: 'radio', name: 'color', value: `#${color}`, checked: true }),
        sw,
        `#${color}`,
      ),
    );
  }
  const form = h(
    'form',
    { class: 'stack', id: 'switchrole-form' },
    field('Account ID or alias', 'account', {
      required: true,
      value: q.get('account') ?? '',
      id: 'switch-account',
    }),
    field('Role name', 'roleName', { required: true, value: q.get('roleName') ?? '', id: 'switch-role' }),
    field('Display name (optional)', 'displayName', {
      value: q.get('displayName') ?? '',
      maxlength: 64,
      id: 'switch-display',
    }),
    h('fieldset', {}, h('legend', {}, 'Colour'), swatches),
    h('button', { class: 'primary', type: 'submit', id: 'switch-submit' }, 'Switch role'),
    errors,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const r = await consoleApi('switchrole', v);
    if (!r.signedIn) {
      errors.replaceChildren(
        errorBox(
          r.requestId ? new ApiError(r.error, r.requestId, 'AssumeRole') : (r.error?.message ?? 'error'),
        ),
      );
      return;
    }
    state.session = r;
    rememberRole(r.switched);
    renderHeader();
    navigate('/console');
  });
  const recent = recentRoles();
  page(
    'Switch role',
    h(
      'p',
      { class: 'muted', id: 'switch-note' },
      `Acting as a role replaces your permissions with the role's until you switch back. The role's credentials are assumed for one hour at a time and renewed until your console session ends (${when(state.session.expiresAt)}).`,
    ),
    form,
    recent.length
      ? h(
          'div',
          {},
          h('h2', {}, 'Recent roles'),
          h(
            'ul',
            { class: 'recent', id: 'recent-roles' },
            recent.map((r) => {
              const b = h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    const res = await consoleApi('switchrole', r);
                    if (!res.signedIn) {
                      errors.replaceChildren(errorBox(new ApiError(res.error, res.requestId, 'AssumeRole')));
                      return;
                    }
                    state.session = res;
                    rememberRole(res.switched);
                    renderHeader();
                    navigate('/console');
                  },
                },
                `${r.displayName}`,
              );
              b.style.borderLeft = `6px solid ${r.color}`;
              return h('li', {}, b);
            }),
          ),
        )
      : '',
  );
}

/** Explanation of any recorded request id (the explain endpoint, called as an API). */
async function explainPage(requestId) {
  const out = h('div', {});
  page('Why?', h('p', {}, 'Request ', h('span', { class: 'mono' }, requestId)), out);
  const r = await consoleApi('explain', { requestId });
  let body;
  try {
    body = JSON.parse(r.body ?? '{}');
  } catch {
    body = {};
  }
  if (r.status !== 200) {
    out.replaceChildren(
      h(
        'div',
        { class: 'error', role: 'alert' },
        h('strong', {}, body.__type ?? r.error?.code ?? 'Error'),
        ': ',
        body.message ?? r.error?.message ?? `HTTP ${r.status}`,
      ),
      r.status === 403 && r.asPrincipal
        ? h(
            'p',
            { id: 'explain-needs' },
            'Explanations are read as the principal in use, ',
            h('code', {}, r.asPrincipal),
            ': it needs permission for ',
            h('code', {}, 'iamd:Explain'),
            ' (or switch back to an identity that has it; a role’s denials are recorded in the role’s account).',
          )
        : '',
    );
    return;
  }
  const e = body;
  out.replaceChildren(
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'cause', id: 'explain-headline' }, inlineCode(e.headline)),
      h(
        'dl',
        { class: 'grid2' },
        h('dt', {}, 'Cause'),
        h('dd', { class: 'mono', id: 'explain-cause' }, e.cause),
        h('dt', {}, 'Call'),
        h('dd', {}, `${e.eventSource} ${e.eventName} at ${when(e.eventTime)}`),
        h('dt', {}, 'Caller'),
        h('dd', { class: 'mono' }, e.caller ?? ''),
        h('dt', {}, 'Action'),
        h('dd', { class: 'mono' }, e.action ?? ''),
        h('dt', {}, 'Resource'),
        h('dd', { class: 'mono' }, e.resource ?? ''),
        e.errorCode ? [h('dt', {}, 'Error'), h('dd', {}, `${e.errorCode}: ${e.errorMessage ?? ''}`)] : '',
      ),
      asList(e.details).length
        ? h(
            'ul',
            {},
            e.details.map((d) => h('li', {}, inlineCode(d))),
          )
        : '',
      e.fix ? h('p', { id: 'explain-fix' }, h('strong', {}, 'Fix: '), inlineCode(e.fix)) : '',
    ),
    h('h2', {}, 'Statements evaluated'),
    table(
      asList(e.statements),
      [
        ['Source', (s) => s.source],
        ['Policy', (s) => h('span', { class: 'mono' }, s.policyId)],
        ['#', (s) => String(s.statement) + (s.sid ? ` (${s.sid})` : '')],
        ['Effect', (s) => s.effect],
        ['Outcome', (s) => s.outcome],
        ['Why', (s) => inlineCode(asList(s.reasons).join('; '))],
      ],
      'No statement applied to this request.',
    ),
  );
}

/** Policy simulator (iam:SimulatePrincipalPolicy). */
function simulatorPage() {
  const s = state.session;
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stack', id: 'simulator-form' },
    field('Principal ARN (user, group or role)', 'PolicySourceArn', {
      required: true,
      value: s.switched ? s.switched.roleArn : s.identity.arn,
    }),
    field('Actions (comma-separated)', 'actions', { required: true, value: 'iam:ListUsers, sts:AssumeRole' }),
    field('Resource ARNs (comma-separated, default *)', 'resources', {}),
    h('button', { class: 'primary', type: 'submit' }, 'Run simulation'),
    out,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const split = (x) =>
      (x ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    const params = {
      PolicySourceArn: v.PolicySourceArn,
      ...members('ActionNames', split(v.actions)),
      ...members('ResourceArns', split(v.resources)),
    };
    const r = await attempt(out, () => iam('SimulatePrincipalPolicy', params));
    if (!r) return;
    out.replaceChildren(
      table(asList(r.EvaluationResults), [
        ['Action', (e) => e.EvalActionName],
        ['Resource', (e) => h('span', { class: 'mono' }, e.EvalResourceName)],
        ['Decision', (e) => h('strong', {}, e.EvalDecision)],
        [
          'Matched statements',
          (e) =>
            asList(e.MatchedStatements)
              .map((m) => `${m.SourcePolicyId} (${m.SourcePolicyType})`)
              .join(', '),
        ],
        ['Missing context', (e) => asList(e.MissingContextValues).join(', ')],
      ]),
    );
  });
  page('Policy simulator', form);
}

/** Audit: CloudTrail LookupEvents with filters; each event's full record. */
function auditPage() {
  const out = h('div', {});
  const form = h(
    'form',
    { class: 'inline', id: 'audit-form' },
    field('Principal (user name)', 'username', { size: 18 }),
    field('Event name', 'eventName', { size: 18 }),
    h('label', {}, 'Errors only', h('input', { type: 'checkbox', name: 'errorsOnly' })),
    h('button', { class: 'primary', type: 'submit' }, 'Search'),
  );
  const run = async () => {
    const v = formValues(form);
    const attrs = [];
    if (v.eventName) attrs.push({ AttributeKey: 'EventName', AttributeValue: v.eventName });
    else if (v.username) attrs.push({ AttributeKey: 'Username', AttributeValue: v.username });
    const started = performance.now();
    const r = await consoleApi('audit', { input: { LookupAttributes: attrs, MaxResults: 50 } });
    let body;
    try {
      body = JSON.parse(r.body ?? '{}');
    } catch {
      body = {};
    }
    if (r.status !== 200) {
      out.replaceChildren(
        h(
          'div',
          { class: 'error', role: 'alert' },
          h('strong', {}, body.__type ?? 'Error'),
          ': ',
          body.message ?? `HTTP ${r.status}`,
        ),
      );
      return;
    }
    let events = asList(body.Events).map((e) => ({ ...e, record: safeJson(e.CloudTrailEvent) }));
    if (v.username && v.eventName) events = events.filter((e) => e.Username === v.username);
    if (v.errorsOnly) events = events.filter((e) => e.record.errorCode);
    out.replaceChildren(
      h('p', { class: 'muted' }, `${events.length} events in ${Math.round(performance.now() - started)} ms.`),
      table(events, [
        ['Time', (e) => when(new Date(e.EventTime * 1000).toISOString())],
        ['Event', (e) => e.EventName],
        ['Principal', (e) => h('span', { class: 'mono' }, e.record.userIdentity?.arn ?? e.Username ?? '')],
        [
          'Error',
          (e) =>
            e.record.errorCode
              ? [
                  e.record.errorCode,
                  ' ',
                  e.record.requestID
                    ? link(`/console/explain/${encodeURIComponent(e.record.requestID)}`, 'why?')
                    : '',
                ]
              : '',
        ],
        [
          'Record',
          (e) =>
            h(
              'details',
              {},
              h('summary', {}, 'full record'),
              h('pre', {}, JSON.stringify(e.record, null, 2)),
            ),
        ],
      ]),
    );
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  page('Audit', form, out);
  void run();
}

function safeJson(t) {
  try {
    return JSON.parse(t);
  } catch {
    return {};
  }
}

// ---- router ------------------------------------------------------------------------------------

const routes = [
  [/^\/console\/?$/, homePage],
  [/^\/console\/switchrole$/, switchRolePage],
  [/^\/console\/explain\/([^/]+)$/, (m) => explainPage(decodeURIComponent(m[1]))],
  [/^\/console\/simulator$/, simulatorPage],
  [/^\/console\/audit$/, auditPage],
  ...entityRoutes,
  ...organizationRoutes,
  ...delegationRoutes,
];

async function render() {
  const path = window.location.pathname;
  if (!state.session.signedIn) {
    if (path !== '/console/signin') {
      const next = path + window.location.search;
      window.history.replaceState({}, '', `/console/signin?next=${encodeURIComponent(next)}`);
    }
    renderHeader();
    signInPage();
    return;
  }
  if (path === '/console/signin') {
    window.history.replaceState({}, '', '/console');
    return render();
  }
  renderHeader();
  for (const [re, fn] of routes) {
    const m = re.exec(path);
    if (m) return fn(m);
  }
  page('Not found', h('p', {}, 'No such page. ', link('/console', 'Dashboard')));
}

/** Moves to `href` inside the app. */
export function navigate(href) {
  window.history.pushState({}, '', href);
  void render();
}

document.addEventListener('click', (ev) => {
  const a = ev.target instanceof window.Element ? ev.target.closest('a[data-link]') : null;
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', () => void render());
window.addEventListener('iamd:signedout', () => void render());
window.addEventListener('iamd:navigate', (ev) => navigate(ev.detail));
// Keyboard: "/" focuses the page's first filter or input.
document.addEventListener('keydown', (ev) => {
  if (ev.key !== '/' || ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement?.tagName)) return;
  const input = main.querySelector('input, textarea');
  if (input) {
    ev.preventDefault();
    input.focus();
  }
});

state.session = await consoleApi('session');
await render();
void call;
