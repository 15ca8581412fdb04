// Administration: people (approve clinicians, disable, reopen closed accounts, end sessions,
// reset links), feedback triage, audit log.

import { h, fill } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError } from '../components/form.js';
import { timeElement } from '../components/format.js';
import { rows } from '../components/list.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox, describeError } from '../components/status.js';
import { STATUS, categoryLabel, statusPill } from '../components/feedback-labels.js';
import { personLabel } from '../components/person.js';
import { resetLinkAction } from '../components/reset-link.js';
import { reopenAction } from '../components/reopen-account.js';

function subnav(current) {
  const tabs = [
    ['users', '/admin', 'People'],
    ['feedback', '/admin/feedback', 'Feedback'],
    ['audit', '/admin/audit', 'Audit log'],
  ];
  return h('nav', { class: 'subnav', 'aria-label': 'Administration' },
    h('ul', {}, tabs.map(([key, href, label]) => h('li', {},
      h('a', { href, 'aria-current': key === current ? 'page' : null, 'data-testid': `admin-tab-${key}` }, label)))));
}

function queryString(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '' && !(key === 'page' && Number(value) === 1)) {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function pager(page, hasMore, go) {
  if (page <= 1 && !hasMore) return null;
  const prev = button('Previous page', { class: 'button small secondary', 'data-testid': 'page-previous' });
  const next = button('Next page', { class: 'button small secondary', 'data-testid': 'page-next' });
  prev.addEventListener('click', () => go(page - 1));
  next.addEventListener('click', () => go(page + 1));
  return h('div', { class: 'actions' },
    page > 1 ? prev : null,
    h('span', { class: 'muted' }, `Page ${page}`),
    hasMore ? next : null);
}

function pageNumber(ctx) {
  const n = Number.parseInt(ctx.query.get('page') || '1', 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

// ---------------------------------------------------------------------------------------
// People

const USER_STATUS = {
  active: ['Active', 'good'],
  pending: ['Awaiting approval', 'warn'],
  disabled: ['Disabled', 'bad'],
  closed: ['Closed by its owner', 'bad'],
};
const ROLES = [['', 'Everyone'], ['patient', 'Patients'], ['clinician', 'Clinicians'], ['admin', 'Administrators']];

export async function adminUsersView(ctx) {
  const q = ctx.query.get('q') || '';
  const role = ctx.query.get('role') || '';
  const page = pageNumber(ctx);
  const search = field({ id: 'admin-search', name: 'q', label: 'Search', type: 'search', value: q,
    hint: 'Name, username or email.' });
  const roleFilter = field({ id: 'admin-role', name: 'role', label: 'Show', options: ROLES, value: role });
  const apply = button('Search', { type: 'submit', 'data-testid': 'admin-search-submit' });
  const filters = h('form', { novalidate: true, role: 'search', class: 'inline-fields' }, search, roleFilter,
    h('div', {}, apply));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/admin${queryString({ q: search.control.value.trim(), role: roleFilter.control.value })}`, { replace: true });
  });
  roleFilter.control.addEventListener('change', () => filters.requestSubmit());

  const list = h('div', {}, loading('Loading people…'));
  const alert = formAlert();
  ctx.main.append(pageHead('Administration'), subnav('users'),
    h('section', { class: 'panel', 'aria-labelledby': 'people-title' },
      h('h2', { id: 'people-title' }, 'People'), filters, alert, list));

  const load = async () => {
    fill(list, loading('Loading people…'));
    let data;
    try {
      data = await ctx.api('/api/admin/users', { query: { q, role, page } });
    } catch (error) {
      if (error.handled) return;
      fill(list, errorBox(error, load));
      return;
    }
    const users = data.users || [];
    fill(list,
      typeof data.total === 'number' ? h('p', { class: 'muted' }, `${data.total} found.`) : null,
      rows(users, (u) => userItem(ctx, u, alert, load), { empty: 'No one matches.' }),
      pager(page, !!data.has_more, (p) => ctx.navigate(`/admin${queryString({ q, role, page: p })}`)),
    );
  };
  await load();
}

function userItem(ctx, u, alert, reload) {
  const [statusLabel, statusKind] = USER_STATUS[u.status] || [u.status, ''];
  const isMe = u.username === ctx.user.username;
  const action = (label, testid, path, question, done, kind = 'secondary') => {
    const b = button(label, { class: `button small ${kind}`, 'data-testid': testid });
    b.addEventListener('click', async () => {
      if (b.isBusy()) return;
      // eslint-disable-next-line no-alert
      if (question && !window.confirm(question)) return;
      b.setBusy(true, 'Working…');
      alert.clear();
      try {
        const result = await ctx.api(`/api/admin/users/${encodeURIComponent(u.username)}/${path}`, { method: 'POST' });
        ctx.notify(typeof done === 'function' ? done(result) : done);
        reload();
      } catch (error) {
        b.setBusy(false);
        if (!error.handled) alert.show('error', describeError(error));
      }
    });
    return b;
  };
  const actions = [];
  const linkPlace = h('div', { 'aria-live': 'polite' });
  if (u.role === 'clinician' && u.status === 'pending') {
    actions.push(action('Approve clinician', 'approve-user', 'approve', null, `${u.username} can now see patients.`, ''));
  }
  if (u.status === 'closed') {
    // Nobody is signed in and nothing else applies until it is reopened.
    actions.push(reopenAction(ctx, u, () => {
      ctx.notify(`${u.username} can sign in again.`);
      reload();
    }));
  } else if (!isMe) {
    if (u.status === 'disabled') {
      actions.push(action('Enable', 'enable-user', 'enable', null, `${u.username} can sign in again.`));
    } else {
      actions.push(action('Disable', 'disable-user', 'disable',
        `Disable ${u.username}? They will be signed out everywhere and cannot sign in until enabled again.`,
        `${u.username} was disabled.`, 'danger secondary'));
    }
    actions.push(action('End sessions', 'end-sessions', 'end-sessions',
      `Sign ${u.username} out on all their devices?`,
      (r) => `Ended ${Number(r?.ended) || 0} session(s) of ${u.username}.`));
    actions.push(resetLinkAction(ctx, u, linkPlace));
    actions.push(action('Reset two-step sign-in', 'reset-two-factor', '2fa/reset',
      `Reset ${u.username}’s two-step sign-in? Do this only when they lost their phone and their recovery codes, `
        + 'and you are sure it is them asking. If their role requires it, their next sign-in sets it up again.',
      (r) => (r?.had_two_factor ? `${u.username}’s two-step sign-in was reset.` : `${u.username} had no two-step sign-in.`)));
  }
  return h(
    'li',
    { 'data-testid': 'admin-user', 'data-username': u.username, 'data-status': u.status },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, personLabel(u)),
      h('span', {}, h('span', { class: `pill ${statusKind}` }, statusLabel))),
    h('div', { class: 'row-meta' },
      u.email ? `${u.email} · ` : '',
      'joined ', timeElement(u.created_at),
      ' · last sign-in ', u.last_login_at ? timeElement(u.last_login_at) : 'never'),
    actions.length ? h('div', { class: 'row-actions' }, actions) : null,
    linkPlace,
  );
}

// ---------------------------------------------------------------------------------------
// Feedback triage

const STATUS_OPTIONS = Object.entries(STATUS).map(([value, [label]]) => [value, label]);

export async function adminFeedbackView(ctx) {
  const status = ctx.query.get('status') || '';
  const page = pageNumber(ctx);
  const filter = field({ id: 'admin-feedback-status', name: 'status', label: 'Show',
    options: [['', 'All feedback'], ...STATUS_OPTIONS], value: status });
  filter.control.addEventListener('change', () => {
    ctx.navigate(`/admin/feedback${queryString({ status: filter.control.value })}`, { replace: true });
  });
  const list = h('div', {}, loading('Loading feedback…'));
  ctx.main.append(pageHead('Administration'), subnav('feedback'),
    h('section', { class: 'panel', 'aria-labelledby': 'triage-title' },
      h('h2', { id: 'triage-title' }, 'Feedback'), h('div', { class: 'inline-fields' }, filter), list));

  const load = async () => {
    fill(list, loading('Loading feedback…'));
    let data;
    try {
      data = await ctx.api('/api/admin/feedback', { query: { status, page } });
    } catch (error) {
      if (error.handled) return;
      fill(list, errorBox(error, load));
      return;
    }
    const items = data.feedback || [];
    fill(list,
      rows(items, (f) => triageItem(ctx, f), { empty: 'No feedback here.' }),
      pager(page, !!data.has_more, (p) => ctx.navigate(`/admin/feedback${queryString({ status, page: p })}`)),
    );
  };
  await load();
}

function triageItem(ctx, f) {
  const id = f.id;
  const pillHolder = h('span', {}, statusPill(f.status));
  const alert = formAlert();
  const statusField = field({ id: `triage-status-${id}`, name: 'status', label: 'Status', options: STATUS_OPTIONS, value: f.status });
  const note = field({ id: `triage-note-${id}`, name: 'admin_note', label: 'Note to the author (optional)',
    multiline: true, rows: 2, value: f.admin_note || '' });
  const save = button('Save', { type: 'submit', class: 'button small', 'data-testid': 'triage-save' });
  const form = h('form', { novalidate: true }, alert, h('div', { class: 'inline-fields top' }, statusField, note), h('div', { class: 'actions' }, save));
  onSubmit(form, save, 'Saving…', async () => {
    alert.clear();
    const body = { status: statusField.control.value };
    body.admin_note = note.control.value.trim() || null;
    try {
      const result = await ctx.api(`/api/admin/feedback/${encodeURIComponent(id)}`, { method: 'PATCH', body });
      fill(pillHolder, statusPill(result?.feedback?.status || body.status));
      alert.show('success', 'Saved.');
    } catch (error) {
      showFormError(error, alert, { status: statusField, admin_note: note });
    }
  });
  return h(
    'li',
    { 'data-testid': 'admin-feedback', 'data-feedback-id': id },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, `${categoryLabel(f.category)}, from `, personLabel(f.author)),
      pillHolder),
    h('div', { class: 'row-meta' }, 'Sent ', timeElement(f.created_at)),
    h('p', { class: 'content' }, f.message),
    form,
  );
}

// ---------------------------------------------------------------------------------------
// Audit log

function eventWords(event) {
  const text = String(event || '').replace(/[_.]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export async function adminAuditView(ctx) {
  const user = ctx.query.get('user') || '';
  const page = pageNumber(ctx);
  const who = field({ id: 'audit-user', name: 'user', label: 'Username', type: 'search', value: user,
    attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const apply = button('Filter', { type: 'submit', 'data-testid': 'audit-filter' });
  const filters = h('form', { novalidate: true, role: 'search', class: 'inline-fields' }, who, h('div', {}, apply));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/admin/audit${queryString({ user: who.control.value.trim() })}`, { replace: true });
  });
  const list = h('div', {}, loading('Loading the audit log…'));
  ctx.main.append(pageHead('Administration'), subnav('audit'),
    h('section', { class: 'panel', 'aria-labelledby': 'audit-title' },
      h('h2', { id: 'audit-title' }, 'Audit log'),
      h('p', { class: 'muted' }, 'Sign-ins, sign-outs, account changes and administrative actions, newest first.'),
      filters, list));

  const load = async () => {
    fill(list, loading('Loading the audit log…'));
    let data;
    try {
      data = await ctx.api('/api/admin/audit', { query: { user, page } });
    } catch (error) {
      if (error.handled) return;
      fill(list, errorBox(error, load));
      return;
    }
    fill(list,
      rows(data.entries || [], auditItem, { empty: 'No entries.' }),
      pager(page, !!data.has_more, (p) => ctx.navigate(`/admin/audit${queryString({ user, page: p })}`)),
    );
  };
  await load();
}

function auditItem(e) {
  return h(
    'li',
    { 'data-testid': 'audit-entry', 'data-event': e.event },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, eventWords(e.event)),
      h('span', { class: 'row-meta' }, timeElement(e.at))),
    h('div', { class: 'row-meta' },
      [e.actor ? `by ${personText(e.actor)}` : null,
        e.subject ? `about ${personText(e.subject)}` : null,
        e.detail ? `detail: ${e.detail}` : null,
        e.client_address ? `from ${e.client_address}` : null].filter(Boolean).join(' · ')),
  );
}

function personText(value) {
  if (value && typeof value === 'object') return value.username || value.display_name || JSON.stringify(value);
  return String(value);
}

