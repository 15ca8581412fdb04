// Mood: the chart over a period, the check-ins, and a new check-in.

import { api } from '../api.js';
import { h, loading, errorBox, field, pageHead, timeElement } from '../ui.js';
import { moodChart } from './chart.js';
import { moodForm } from './moodform.js';

export const PERIODS = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
  ['365', 'Last year'],
];

export async function moodView(ctx) {
  const wanted = ctx.query.get('days');
  const days = PERIODS.some(([v]) => v === wanted) ? wanted : '30';
  const period = field({ id: 'mood-days', name: 'days', label: 'Period', options: PERIODS, value: days });
  const chartArea = h('div', {}, loading('Loading your check-ins…'));
  const listArea = h('div', {});
  period.control.addEventListener('change', () => {
    ctx.navigate(`/mood?days=${period.control.value}`, { replace: true });
  });

  ctx.main.append(
    pageHead('Your mood'),
    h('div', { class: 'grid wide-narrow' },
      h('section', { class: 'panel', 'aria-labelledby': 'mood-chart-heading' },
        h('h2', { id: 'mood-chart-heading' }, 'Over time'),
        h('div', { class: 'inline-fields' }, period),
        chartArea,
        h('p', { class: 'muted small' }, 'Each point is the average of your check-ins that day, from 1 (very low) to 10 (very good).')),
      h('section', { class: 'panel', 'aria-labelledby': 'mood-new-heading' },
        h('h2', { id: 'mood-new-heading' }, 'Check in now'),
        moodForm({ withSleep: true, onSaved: () => load() }))),
    h('section', { class: 'panel', 'aria-labelledby': 'mood-list-heading' },
      h('h2', { id: 'mood-list-heading' }, 'Your check-ins'),
      listArea),
  );

  const load = async () => {
    chartArea.replaceChildren(loading('Loading your check-ins…'));
    let data;
    try {
      data = await api('/api/mood/history', { query: { days } });
    } catch (error) {
      if (error.handled) return;
      chartArea.replaceChildren(errorBox(error, load));
      listArea.replaceChildren();
      return;
    }
    chartArea.replaceChildren(moodChart({ daily: data.daily, days: data.days || days, who: 'Your' }));
    listArea.replaceChildren(entryList(data.entries || [], days));
  };
  await load();
}

export function entryList(entries, days) {
  if (!entries.length) {
    return h('p', { class: 'empty', 'data-testid': 'mood-empty' }, `No check-ins in the last ${days} days.`);
  }
  return h(
    'ul',
    { class: 'rows', 'data-testid': 'mood-entries' },
    entries.map((e) => h(
      'li',
      { 'data-testid': 'mood-entry', 'data-score': e.score },
      h('div', { class: 'row-main' },
        h('span', { class: 'row-title' }, `${e.score} out of 10`),
        h('span', { class: 'row-meta' }, timeElement(e.recorded_at))),
      e.sleep_hours !== null && e.sleep_hours !== undefined
        ? h('div', { class: 'muted small' }, `Sleep: ${e.sleep_hours} hours`)
        : null,
      e.note ? h('p', { class: 'content' }, e.note) : null,
    )),
  );
}
