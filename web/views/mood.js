// Mood: the chart over a period, the check-ins, and a new check-in.

import { h } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { moodChart } from '../components/chart.js';
import { moodForm } from '../components/moodform.js';
import { chosenPeriod, periodField, entryList } from '../components/mood-history.js';

export async function moodView(ctx) {
  const days = chosenPeriod(ctx.query.get('days'));
  const period = periodField(days);
  const chartArea = h('div', {}, loading('Loading your check-ins…'));
  const listArea = h('div', {});
  period.control.addEventListener('change', () => {
    ctx.navigate(`/mood?days=${period.control.value}`, { replace: true });
  });

  ctx.main.append(
    pageHead('Your mood'),
    h('p', {}, h('a', { href: '/measures', 'data-testid': 'mood-measures' }, 'Questionnaires (PHQ-9, GAD-7, C-SSRS) and your answers over time')),
    h('div', { class: 'grid wide-narrow' },
      h('section', { class: 'panel', 'aria-labelledby': 'mood-chart-heading' },
        h('h2', { id: 'mood-chart-heading' }, 'Over time'),
        h('div', { class: 'inline-fields' }, period),
        chartArea,
        h('p', { class: 'muted small' }, 'Each point is the average of your check-ins that day, from 1 (very low) to 10 (very good).')),
      h('section', { class: 'panel', 'aria-labelledby': 'mood-new-heading' },
        h('h2', { id: 'mood-new-heading' }, 'Check in now'),
        moodForm({ api: ctx.api, withSleep: true, onSaved: () => load() }))),
    h('section', { class: 'panel', 'aria-labelledby': 'mood-list-heading' },
      h('h2', { id: 'mood-list-heading' }, 'Your check-ins'),
      listArea),
  );

  const load = async () => {
    chartArea.replaceChildren(loading('Loading your check-ins…'));
    let data;
    try {
      data = await ctx.api('/api/mood/history', { query: { days } });
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
