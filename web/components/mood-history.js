// A person's check-ins over a period, for themselves (Mood) and for their clinician.

import { h } from './dom.js';
import { field } from './form.js';
import { timeElement } from './format.js';
import { rows } from './list.js';

export const PERIODS = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
  ['365', 'Last year'],
];

/** The period asked for in the address (?days=), if it is one we offer; else 30 days. */
export function chosenPeriod(wanted) {
  return PERIODS.some(([v]) => v === wanted) ? wanted : '30';
}

export function periodField(days) {
  return field({ id: 'mood-days', name: 'days', label: 'Period', options: PERIODS, value: days });
}

export function entryList(entries, days) {
  return rows(entries, entryItem, {
    empty: `No check-ins in the last ${days} days.`,
    attrs: { 'data-testid': 'mood-entries' },
    emptyAttrs: { 'data-testid': 'mood-empty' },
  });
}

function entryItem(e) {
  return h(
    'li',
    { 'data-testid': 'mood-entry', 'data-score': e.score },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, `${e.score} out of 10`),
      h('span', { class: 'row-meta' }, timeElement(e.recorded_at))),
    e.sleep_hours !== null && e.sleep_hours !== undefined
      ? h('div', { class: 'muted small' }, `Sleep: ${e.sleep_hours} hours`)
      : null,
    e.note ? h('p', { class: 'content' }, e.note) : null,
  );
}
