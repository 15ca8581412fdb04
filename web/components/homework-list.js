// Homework as the patient sees it: each item with its status, and a way to start it (the
// matching record, already linked) or open what was done for it.

import { h } from './dom.js';
import { HOMEWORK_KINDS, kindName, homeworkStatus, dayText, recordPath } from './cbt-labels.js';

export function homeworkList(items, empty) {
  if (!items.length) return h('p', { class: 'empty', 'data-testid': 'homework-empty' }, empty);
  return h('ul', { class: 'rows', 'data-testid': 'homework-list' }, items.map(homeworkRow));
}

function homeworkRow(item) {
  const kind = HOMEWORK_KINDS[item.kind];
  const done = item.status === 'done';
  const openPath = recordPath(item.kind, item.record_id);
  const action = done
    ? (openPath ? h('a', { class: 'button small secondary', href: openPath, 'data-testid': 'homework-open' }, 'Open what you did') : null)
    : h('a', { class: 'button small', href: `${kind?.start || '/cbt'}?homework=${encodeURIComponent(item.id)}`, 'data-testid': 'homework-start' },
      `Start: ${kindName(item.kind).toLowerCase()}`);
  return h(
    'li',
    { 'data-testid': 'homework', 'data-homework-id': item.id, 'data-kind': item.kind },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, kindName(item.kind)),
      homeworkStatus(item.status)),
    h('p', { class: 'record-line-text' }, item.instructions),
    h('p', { class: 'row-meta' },
      item.due_on ? `Due ${dayText(item.due_on)}` : 'No due date',
      item.assigned_by ? ` · from ${item.assigned_by}` : ''),
    action ? h('div', { class: 'row-actions' }, action) : null,
  );
}

/** The homework a new record does, shown above its form. */
export function homeworkBanner(item) {
  if (!item) return null;
  return h('div', { class: 'alert info', 'data-testid': 'homework-banner' },
    h('p', { class: 'alert-title' }, `Homework: ${kindName(item.kind)}`),
    h('p', { class: 'record-line-text' }, item.instructions),
    h('p', { class: 'small' }, 'Saving this will mark the homework as done.'));
}
