// Questionnaires due (and overdue), each a link to its form: on Home and Questionnaires.

import { h } from './dom.js';
import { formatDate } from './format.js';

/** due: [{instrument, name, due_on, status: due|overdue|upcoming, every_days}]. */
export function dueList(due, empty) {
  if (!due.length) return h('p', { class: 'empty', 'data-testid': 'measures-due-empty' }, empty);
  return h('ul', { class: 'rows' }, due.map((item) => h(
    'li',
    { 'data-testid': 'measure-due', 'data-instrument': item.instrument, 'data-status': item.status },
    h('div', { class: 'row-main' },
      h('a', { href: `/measures/${encodeURIComponent(item.instrument)}`, class: 'row-title' }, item.name),
      item.status === 'overdue' ? h('span', { class: 'pill warn' }, 'Overdue') : h('span', { class: 'pill info' }, 'Due')),
    h('div', { class: 'row-meta' },
      `${item.status === 'overdue' ? 'Was due' : 'Due'} ${formatDate(`${item.due_on}T12:00:00`)} · every ${item.every_days} days`),
  )));
}
