// Questionnaires (patients): what is due, each questionnaire with a link to its form and
// the trend of past answers.

import { onLive } from '../live.js';
import { h } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { timeElement } from '../components/format.js';
import { dueList } from '../components/due.js';
import { measureChart } from '../components/measures.js';

const HISTORY_DAYS = 180;

export async function measuresView(ctx) {
  const body = h('div', {}, loading('Loading your questionnaires…'));
  ctx.main.append(
    pageHead('Questionnaires'),
    h('p', { class: 'lede' }, 'Short questionnaires help you and your care team see how things are going over time.'),
    body,
  );
  const load = async () => {
    body.replaceChildren(loading('Loading your questionnaires…'));
    let catalogue;
    let due;
    let history;
    try {
      [catalogue, due, history] = await Promise.all([
        ctx.api('/api/measures'),
        ctx.api('/api/measures/due'),
        ctx.api('/api/measures/responses', { query: { days: HISTORY_DAYS } }),
      ]);
    } catch (error) {
      if (!error.handled) body.replaceChildren(errorBox(error, load));
      return;
    }
    const responses = history.responses || [];
    body.replaceChildren(
      h('section', { class: 'panel', 'aria-labelledby': 'due-title', 'data-testid': 'measures-due' },
        h('h2', { id: 'due-title' }, 'Due now'),
        dueList(due.due || [], 'Nothing is due. You can still answer any questionnaire below whenever you like.')),
      ...(catalogue.instruments || []).map((instrument) => h(
        'section',
        { class: 'panel', 'aria-labelledby': `instrument-${instrument.id}-title`, 'data-testid': 'instrument', 'data-instrument': instrument.id },
        h('h2', { id: `instrument-${instrument.id}-title` }, instrument.name),
        h('p', { class: 'muted' }, instrument.last_submitted_at
          ? ['You last answered this ', timeElement(instrument.last_submitted_at), '.']
          : 'You have not answered this yet.'),
        h('p', {}, h('a', { class: 'button', href: `/measures/${instrument.id}`, 'data-testid': `start-${instrument.id}` }, `Answer the ${instrument.name}`)),
        measureChart(instrument.id, responses, HISTORY_DAYS),
      )),
    );
  };
  await load();
  // A questionnaire the care team schedules shows at once.
  onLive('measure_due', () => load(), ctx.isCurrent);
}
