// Questionnaires as words: bands, risk levels, alert outcomes, and each instrument's
// trend chart from its responses.

import { h } from './dom.js';
import { trendChart } from './chart.js';
import { formatWhen } from './format.js';

export const INSTRUMENT_NAMES = Object.freeze({
  phq9: 'PHQ-9 (depression)',
  gad7: 'GAD-7 (anxiety)',
  cssrs: 'C-SSRS screener (suicide risk)',
});

// The highest total of each scored questionnaire.
const MAX_TOTAL = Object.freeze({ phq9: 27, gad7: 21 });

const BANDS = Object.freeze({
  minimal: 'Minimal',
  mild: 'Mild',
  moderate: 'Moderate',
  moderately_severe: 'Moderately severe',
  severe: 'Severe',
});

const RISKS = ['none', 'low', 'moderate', 'high'];
const RISK_LABELS = Object.freeze({ none: 'No risk identified', low: 'Low', moderate: 'Moderate', high: 'High' });

export const OUTCOMES = Object.freeze([
  ['contacted_patient', 'Contacted the patient'],
  ['no_action_needed', 'No action needed'],
  ['escalated', 'Escalated'],
  ['other', 'Other'],
]);

export function outcomeLabel(value) {
  return (OUTCOMES.find(([v]) => v === value) || [null, value || ''])[1];
}

export function instrumentName(id) {
  return INSTRUMENT_NAMES[id] || id;
}

export function isValidInstrument(id) {
  return Object.prototype.hasOwnProperty.call(INSTRUMENT_NAMES, id);
}

/** "Score 12 out of 27: Moderate" or "Risk: High". */
export function resultLine(response) {
  if (response.instrument === 'cssrs') return `Risk: ${RISK_LABELS[response.risk] || response.risk}`;
  const max = MAX_TOTAL[response.instrument];
  const band = BANDS[response.severity] || response.severity || '';
  return `Score ${response.total} out of ${max}${band ? `: ${band}` : ''}`;
}

/** Whether a response is one the patient should see help for first. */
export function isConcerning(response) {
  return (response.flags || []).includes('item9_positive') || ['moderate', 'high'].includes(response.risk);
}

/** The trend chart of one questionnaire; responses in any order. who: 'Your' or a name. */
export function measureChart(instrument, responses, days, who = 'Your') {
  const mine = responses.filter((r) => r.instrument === instrument);
  const cssrs = instrument === 'cssrs';
  const points = mine.map((r) => ({
    date: new Date(r.submitted_at),
    value: cssrs ? Math.max(0, RISKS.indexOf(r.risk)) : Number(r.total),
    label: `${formatWhen(r.submitted_at)}: ${resultLine(r)}`,
  }));
  const latest = mine[0];
  const max = cssrs ? 3 : MAX_TOTAL[instrument];
  const step = 3;
  const ticks = cssrs
    ? RISKS.map((r, i) => [i, r === 'none' ? 'None' : RISK_LABELS[r]])
    : Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => [i * step, String(i * step)]);
  return trendChart({
    testid: `trend-${instrument}`,
    title: `${who} ${instrumentName(instrument)} over the last ${days} days`,
    desc: mine.length
      ? `${mine.length} response${mine.length === 1 ? '' : 's'}; most recent ${resultLine(latest)}, ${formatWhen(latest.submitted_at)}.`
      : `No responses in the last ${days} days.`,
    empty: 'No answers in this period yet',
    points,
    days,
    min: 0,
    max,
    ticks,
    axisWidth: cssrs ? 74 : 34,
  });
}

/** "1: 1 · 2: 0 · … · 6b: yes", the item answers as given. */
function itemAnswers(answers) {
  return Object.entries(answers || {})
    .map(([item, value]) => `${item}: ${value === true ? 'yes' : value === false ? 'no' : value}`)
    .join(' · ');
}

/** Past responses as a list, newest first; withAnswers adds each item's answer. */
export function responseList(responses, { withAnswers = false } = {}) {
  if (!responses.length) return h('p', { class: 'empty' }, 'No answers yet.');
  return h('ul', { class: 'rows' }, responses.map((r) => h(
    'li',
    { 'data-testid': 'measure-response', 'data-instrument': r.instrument },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, resultLine(r)),
      isConcerning(r) ? h('span', { class: 'pill bad' }, 'Needs attention') : null),
    h('div', { class: 'row-meta' }, instrumentName(r.instrument), ' · ', formatWhen(r.submitted_at)),
    withAnswers ? h('p', { class: 'item-answers', 'data-testid': 'item-answers' }, 'Item answers: ', itemAnswers(r.answers)) : null,
  )));
}
