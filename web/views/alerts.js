// The clinicians' alert inbox: open, acknowledged and resolved alerts for their own
// patients, urgent first, acted on in dialogs.

import { onLive } from '../live.js';
import { h, fill } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { awaitingApproval } from '../components/approval.js';
import { alertList } from '../components/alert-item.js';
import { ErrorCode } from '../error-codes.js';

const TABS = [
  ['open', 'Open'],
  ['acknowledged', 'Acknowledged'],
  ['resolved', 'Resolved'],
];

const PAGE_SIZE = 50;

const EMPTY = {
  open: 'No open alerts. When a patient’s answers need attention, the alert appears here.',
  acknowledged: 'No acknowledged alerts waiting to be resolved.',
  resolved: 'No resolved alerts yet.',
};

export async function alertsView(ctx) {
  const requested = ctx.query.get('status');
  const status = TABS.some(([key]) => key === requested) ? requested : 'open';
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);
  const list = h('div', {}, loading('Loading alerts…'));
  const tabs = h('nav', { class: 'subnav', 'aria-label': 'Alerts by status' },
    h('ul', {}, TABS.map(([key, label]) => h('li', {},
      h('a', {
        href: key === 'open' ? '/clinician/alerts' : `/clinician/alerts?status=${key}`,
        'aria-current': key === status ? 'page' : null,
        'data-testid': `alerts-tab-${key}`,
      }, label)))));
  ctx.main.append(
    h('p', {}, h('a', { href: '/clinician' }, '← My patients')),
    pageHead('Alerts'),
    h('p', { class: 'lede' }, 'Alerts from your patients’ answers. Urgent alerts come first; acknowledge them as soon as you can.'),
    tabs,
    h('section', { class: 'panel', 'aria-label': `${TABS.find(([k]) => k === status)[1]} alerts`, 'data-testid': 'alert-inbox', 'data-status': status }, list),
  );

  const load = async () => {
    list.replaceChildren(loading('Loading alerts…'));
    let data;
    try {
      data = await ctx.api('/api/clinician/alerts', { query: { status, page, limit: PAGE_SIZE } });
    } catch (error) {
      if (error.handled) return;
      if (error.code === ErrorCode.ClinicianNotApproved) {
        list.replaceChildren(awaitingApproval());
        return;
      }
      list.replaceChildren(errorBox(error, load));
      return;
    }
    if (!ctx.isCurrent()) return;
    fill(list, alertList(ctx, data.alerts || [], EMPTY[status], load), pager(status, page, data.has_more));
  };
  await load();
  // A new or repeated alert is pushed the moment it is raised.
  onLive('alert', () => load(), ctx.isCurrent);
}

function pageHref(status, page) {
  const params = new URLSearchParams();
  if (status !== 'open') params.set('status', status);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return `/clinician/alerts${text ? `?${text}` : ''}`;
}

function pager(status, page, hasMore) {
  if (page === 1 && !hasMore) return null;
  return h('p', { class: 'actions' },
    page > 1 ? h('a', { class: 'button small secondary', href: pageHref(status, page - 1) }, 'Previous page') : null,
    hasMore ? h('a', { class: 'button small secondary', href: pageHref(status, page + 1), 'data-testid': 'alerts-next' }, 'Next page') : null);
}
