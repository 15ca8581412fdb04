// One questionnaire (patients): the form, then the result (help first when it matters),
// and the trend of past answers.

import { h } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { timeElement } from '../components/format.js';
import { questionnaireForm } from '../components/questionnaire.js';
import { measureResult } from '../components/measure-result.js';
import { measureChart, responseList, instrumentName, isValidInstrument } from '../components/measures.js';

const HISTORY_DAYS = 180;

export async function questionnaireView(ctx) {
  const id = ctx.params.instrument;
  if (!isValidInstrument(id)) {
    ctx.main.append(pageHead('We could not find that questionnaire'),
      h('p', {}, h('a', { href: '/measures' }, 'See all questionnaires')));
    return;
  }
  const head = pageHead(instrumentName(id));
  const area = h('div', {}, loading('Loading the questionnaire…'));
  const trend = h('div', {}, loading('Loading your answers…'));
  ctx.main.append(
    h('p', {}, h('a', { href: '/measures' }, '← Questionnaires')),
    head,
    area,
    h('section', { class: 'panel', 'aria-labelledby': 'trend-title', 'data-testid': 'measure-trend' },
      h('h2', { id: 'trend-title' }, `Your answers over the last ${HISTORY_DAYS} days`), trend),
  );

  const loadTrend = async () => {
    trend.replaceChildren(loading('Loading your answers…'));
    let data;
    try {
      data = await ctx.api('/api/measures/responses', { query: { instrument: id, days: HISTORY_DAYS } });
    } catch (error) {
      if (!error.handled) trend.replaceChildren(errorBox(error, loadTrend));
      return;
    }
    const responses = data.responses || [];
    trend.replaceChildren(measureChart(id, responses, HISTORY_DAYS), responseList(responses));
  };

  const showForm = (instrument) => {
    const form = questionnaireForm(instrument, {
      submit: (answers) => ctx.api(`/api/measures/${id}/responses`, {
        method: 'POST',
        body: { answers },
        headers: { 'Idempotency-Key': newKey() },
      }),
      done: (result) => {
        if (result.guidance?.crisis_resources) ctx.chrome.setCrisis(result.guidance.crisis_resources);
        const shown = measureResult(result);
        const again = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'measure-again' }, 'Answer again');
        again.addEventListener('click', () => showForm(instrument));
        area.replaceChildren(shown, h('p', { class: 'actions' }, again, ' ', h('a', { href: '/' }, 'Back to home')));
        shown.focusTarget.focus();
        shown.scrollIntoView({ block: 'start' });
        loadTrend();
      },
    });
    const last = instrument.last_submitted_at
      ? h('p', { class: 'muted', 'data-testid': 'last-submitted' }, 'You last answered this ', timeElement(instrument.last_submitted_at), '.')
      : null;
    area.replaceChildren(h('section', { class: 'panel', 'aria-label': instrument.name }, last, form));
  };

  const load = async () => {
    area.replaceChildren(loading('Loading the questionnaire…'));
    let catalogue;
    try {
      catalogue = await ctx.api('/api/measures');
    } catch (error) {
      if (!error.handled) area.replaceChildren(errorBox(error, load));
      return;
    }
    const instrument = (catalogue.instruments || []).find((i) => i.id === id);
    if (!instrument) {
      area.replaceChildren(h('p', {}, 'This questionnaire is not available.'));
      return;
    }
    head.querySelector('h1').textContent = instrument.name;
    ctx.setTitle(instrument.name);
    showForm(instrument);
  };
  await Promise.all([load(), loadTrend()]);
}

// A retry of the same submission (a double click, a lost answer) is answered once.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
