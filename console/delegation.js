/* global document */
// The delegation request page (issue #20, temporary delegation): where CreateDelegationRequest's
// ConsoleDeepLink leads. A customer's administrator reads the request (who asks, for how long, the
// permission policy, and whether the principal in use holds those permissions itself), associates it,
// sends it for approval, and accepts or rejects it. Every step is the IAM API call, signed as the
// principal in use (POST /console/api/call), so it is authorized and audited like the CLI's.
import { h, iam, errorBox } from './lib.js';

function row(label, value) {
  return h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, value ?? '—'));
}

function when(v) {
  if (v === undefined || v === null || v === '') return undefined;
  const d = new Date(typeof v === 'number' ? v : String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

/** The buttons for what the request's state allows next (states: IAM User Guide, temporary delegation). */
function actions(state, act) {
  const notes = h('input', { id: 'delegation-notes', name: 'notes', placeholder: 'Notes (optional)' });
  const button = (id, label, fn) => h('button', { type: 'button', id, onclick: fn }, label);
  switch (state) {
    case 'UNASSIGNED':
      return [button('delegation-associate', 'Associate with me', () => act('AssociateDelegationRequest'))];
    case 'ASSIGNED':
      return [
        notes,
        button('delegation-submit', 'Send for approval', () =>
          act('UpdateDelegationRequest', notes.value ? { Notes: notes.value } : {}),
        ),
      ];
    case 'PENDING_APPROVAL':
      return [
        notes,
        button('delegation-accept', 'Accept', () => act('AcceptDelegationRequest')),
        button('delegation-reject', 'Reject', () =>
          act('RejectDelegationRequest', notes.value ? { Notes: notes.value } : {}),
        ),
      ];
    default:
      return [h('p', { class: 'muted' }, `Nothing to do: the request is ${state}.`)];
  }
}

async function delegationPage(id) {
  const main = document.getElementById('main');
  const out = h('div', { id: 'delegation-view' }, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('div', { id: 'delegation-status', 'aria-live': 'polite' });
  document.title = 'Delegation request · iamd console';
  main.replaceChildren(h('h1', {}, 'Delegation request'), status, out);

  const show = async () => {
    let r;
    try {
      r = await iam('GetDelegationRequest', { DelegationRequestId: id, DelegationPermissionCheck: 'true' });
    } catch (err) {
      out.replaceChildren(errorBox(err));
      return;
    }
    const d = r.DelegationRequest ?? {};
    const act = async (action, extra = {}) => {
      status.replaceChildren();
      try {
        await iam(action, { DelegationRequestId: id, ...extra });
        status.replaceChildren(h('p', { class: 'ok' }, `${action}: done.`));
      } catch (err) {
        status.replaceChildren(errorBox(err));
      }
      await show();
    };
    out.replaceChildren(
      h(
        'table',
        { class: 'details' },
        h(
          'tbody',
          {},
          row('Id', h('span', { class: 'mono' }, d.DelegationRequestId ?? id)),
          row('State', h('strong', { id: 'delegation-state' }, d.State)),
          row('Requested by', d.RequestorName ? `${d.RequestorName} (${d.RequestorId})` : d.RequestorId),
          row('Description', d.Description),
          row('Message', d.RequestMessage),
          row('Session duration', d.SessionDuration !== undefined ? `${d.SessionDuration} s` : undefined),
          row('Expires', when(d.ExpirationTime)),
          row('Owner', d.OwnerId),
          row(
            'Your permissions',
            r.PermissionCheckResult
              ? `${r.PermissionCheckResult} (${r.PermissionCheckStatus ?? ''})`
              : r.PermissionCheckStatus,
          ),
          row('Notes', d.Notes),
          row('Rejection reason', d.RejectionReason),
        ),
      ),
      h('h2', {}, 'Permission policy'),
      h('pre', { class: 'policy', id: 'delegation-policy' }, d.PermissionPolicy ?? ''),
      h('div', { class: 'actions', id: 'delegation-actions' }, ...actions(d.State, act)),
    );
  };
  await show();
}

export const delegationRoutes = [
  [/^\/console\/delegation-requests\/([^/]+)$/, (m) => delegationPage(decodeURIComponent(m[1]))],
];
