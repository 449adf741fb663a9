/* global document, window, fetch, setTimeout, clearTimeout */
// Shared helpers of the iamd console: safe DOM building (text only, never innerHTML), the console
// API client, error display with "why was this denied?" links, and the policy editor.

/** The session as the server describes it (never any credentials). */
export const state = { session: { signedIn: false, csrf: '' } };

/** Creates an element: attributes (on* as listeners), then children (strings become text nodes). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Text whose `backtick` spans are inline code, as the explanations write policy names, actions and
 * ARNs: the pieces between backticks become `<code>` elements, everything else text nodes (never
 * HTML, so nothing in the text can inject markup). An unpaired backtick stays literal.
 */
export function inlineCode(text) {
  const pieces = String(text ?? '').split('`');
  if (pieces.length % 2 === 0) {
    // Odd number of backticks: the last one has no partner; keep it as text.
    const last = pieces.pop();
    pieces[pieces.length - 1] += '`' + last;
  }
  return pieces
    .map((piece, i) => (i % 2 === 1 ? h('code', {}, piece) : piece))
    .filter((piece) => piece !== '');
}

/** A list from an XML-derived value: `''` (empty element) is an empty list. */
export function asList(v) {
  return Array.isArray(v) ? v : [];
}

/** Formats an ISO timestamp for tables. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? String(iso)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** Raw console API call: JSON in and out, CSRF token on every POST. */
export async function consoleApi(name, body) {
  const init =
    body === undefined
      ? { method: 'GET', credentials: 'same-origin' }
      : {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': state.session.csrf || '' },
          body: JSON.stringify(body),
        };
  const res = await fetch(`/console/api/${name}`, init);
  let json;
  try {
    json = await res.json();
  } catch {
    json = { ok: false, error: { code: 'BadResponse', message: `HTTP ${res.status}` } };
  }
  if (res.status === 401 && json?.error?.code === 'NotSignedIn') {
    state.session = { signedIn: false, csrf: '' };
    window.dispatchEvent(new window.CustomEvent('iamd:signedout'));
  }
  return { status: res.status, ...json };
}

/** Thrown by {@link call} for an API error: carries code, message and the request id. */
export class ApiError extends Error {
  constructor(error, requestId, action) {
    super(error?.message ?? 'error');
    this.code = error?.code ?? 'Error';
    this.requestId = requestId ?? '';
    this.action = action;
  }
}

/** One IAM/STS API action, signed by the console server with the session's credentials. */
export async function call(service, action, params = {}) {
  const r = await consoleApi('call', { service, action, params });
  if (!r.ok) throw new ApiError(r.error, r.requestId, action);
  return r.result ?? {};
}
export const iam = (action, params) => call('iam', action, params);
export const sts = (action, params) => call('sts', action, params);

/** Flattens a list into Query `Name.member.N` parameters. */
export function members(name, values) {
  const out = {};
  values.forEach((v, i) => {
    if (v !== '') out[`${name}.member.${i + 1}`] = v;
  });
  return out;
}

/** An error box; AccessDenied gets the link to its explanation (issue 10, "Why denied"). */
export function errorBox(err) {
  if (!(err instanceof ApiError))
    return h('div', { class: 'error', role: 'alert' }, String(err?.message ?? err));
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', {}, err.code),
    err.action ? ` (${err.action})` : '',
    ': ',
    err.message,
    err.requestId
      ? h(
          'div',
          {},
          h('span', { class: 'muted' }, 'Request ID ', h('span', { class: 'mono' }, err.requestId), ' · '),
          h(
            'a',
            { href: `/console/explain/${encodeURIComponent(err.requestId)}`, 'data-link': '' },
            err.code === 'AccessDenied' ? 'Why was this denied?' : 'Explain this request',
          ),
        )
      : '',
  );
}

/** Runs `fn`, showing its error in `where` instead of throwing. */
export async function attempt(where, fn) {
  try {
    return await fn();
  } catch (e) {
    where.replaceChildren(errorBox(e));
    return undefined;
  }
}

/** A table: `columns` = [[heading, row => cell]]. */
export function table(rows, columns, empty = 'None.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([title]) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          columns.map(([, cell]) => h('td', {}, cell(r))),
        ),
      ),
    ),
  );
}

/** An in-app link (handled by the router, so no full page load). */
export function link(href, text) {
  return h('a', { href, 'data-link': '' }, text);
}

/** Pretty-prints a policy document (URL-encoded as IAM returns it, or plain JSON text). */
export function prettyPolicy(text) {
  let t = String(text ?? '');
  try {
    if (/^%7B/i.test(t)) t = decodeURIComponent(t);
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return t;
  }
}

/**
 * The JSON policy editor: a textarea validated live by the server's policy validator (the same one
 * CreatePolicy uses), listing each problem with its JSON path. `onState(valid)` follows the result.
 */
export function policyEditor(initial, type, onState = () => {}) {
  const area = h('textarea', {
    class: 'policy',
    spellcheck: 'false',
    'aria-label': 'Policy document (JSON)',
  });
  area.value = initial;
  const list = h('ul', { class: 'problems', 'aria-live': 'polite' });
  let timer;
  let seq = 0;
  const check = async () => {
    const mine = ++seq;
    const r = await consoleApi('validate-policy', { document: area.value, type });
    if (mine !== seq) return;
    const errors = r.errors ?? [];
    const warnings = r.warnings ?? [];
    list.className = errors.length === 0 && warnings.length === 0 ? 'problems ok' : 'problems';
    list.replaceChildren(
      ...errors.map((p) =>
        h(
          'li',
          { 'data-problem': 'error' },
          h('span', { class: 'mono' }, p.path || '(document)'),
          ': ',
          p.message,
        ),
      ),
      ...warnings.map((p) =>
        h(
          'li',
          { 'data-problem': 'warning' },
          'warning ',
          h('span', { class: 'mono' }, p.path || ''),
          ': ',
          p.message,
        ),
      ),
    );
    if (errors.length === 0 && warnings.length === 0) list.replaceChildren(h('li', {}, '✓ valid policy'));
    onState(errors.length === 0);
  };
  area.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  });
  void check();
  return {
    element: h('div', {}, area, list),
    get value() {
      return area.value;
    },
    set value(v) {
      area.value = v;
      void check();
    },
  };
}

/** A labelled input. */
export function field(label, name, attrs = {}) {
  return h('label', {}, label, h('input', { name, ...attrs }));
}

/** Reads a form's fields into an object. */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new window.FormData(form).entries()) out[k] = String(v);
  return out;
}
