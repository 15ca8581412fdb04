// CBT records to read: a thought record in full, an activity, an exposure ladder with
// its attempts. The same for the patient (with links to change them) and for the care
// team (who are never sent private ones).

import { h } from './dom.js';
import { timeElement } from './format.js';
import { trapName, dayText, privateBadge } from './cbt-labels.js';

/** options: {href} to link the title to where it is changed. */
export function thoughtRecordCard(record, options = {}) {
  const title = options.href
    ? h('a', { class: 'row-title', href: options.href }, record.situation)
    : h('span', { class: 'row-title' }, record.situation);
  const line = (label, value) => (value === null || value === undefined || value === ''
    ? null
    : h('div', { class: 'record-line' }, h('dt', {}, label), h('dd', {}, String(value))));
  const emotions = (record.emotions || []).map((e) => `${e.name} ${e.before}%${e.after === null || e.after === undefined ? '' : ` → ${e.after}%`}`);
  return h(
    'li',
    { 'data-testid': 'thought-record', 'data-record-id': record.id },
    h('div', { class: 'row-main' }, title, privateBadge(record), h('span', { class: 'row-meta' }, timeElement(record.created_at))),
    h('dl', { class: 'record' },
      line('Emotions', emotions.join(', ')),
      line('Automatic thought', record.automatic_thought),
      line('Belief before', `${record.belief_before}%`),
      line('Thinking traps', (record.thinking_traps || []).map(trapName).join(', ')),
      line('Evidence for', record.evidence_for),
      line('Evidence against', record.evidence_against),
      line('Balanced thought', record.balanced_thought),
      line('Belief after', record.belief_after === null || record.belief_after === undefined ? null : `${record.belief_after}%`)),
  );
}

export function activityRow(activity, options = {}) {
  const title = options.href
    ? h('a', { class: 'row-title', href: options.href }, activity.title)
    : h('span', { class: 'row-title' }, activity.title);
  const rated = activity.done
    ? `Done · mastery ${activity.mastery ?? '–'}/10 · pleasure ${activity.pleasure ?? '–'}/10`
    : 'Planned';
  return h(
    'li',
    { 'data-testid': 'activity', 'data-record-id': activity.id },
    h('div', { class: 'row-main' }, title, privateBadge(activity),
      h('span', { class: 'row-meta' }, dayText(activity.planned_on))),
    h('p', { class: 'row-meta' }, rated),
  );
}

export function ladderCard(ladder, options = {}) {
  const title = options.href
    ? h('a', { class: 'row-title', href: options.href }, ladder.fear)
    : h('span', { class: 'row-title' }, ladder.fear);
  return h(
    'li',
    { 'data-testid': 'exposure-ladder', 'data-record-id': ladder.id },
    h('div', { class: 'row-main' }, title, privateBadge(ladder)),
    h('ol', { class: 'ladder-steps' }, (ladder.steps || []).map((step) => h('li', {},
      h('span', {}, `${step.description} (expected ${step.expected_suds})`),
      step.attempts?.length
        ? h('ul', { class: 'attempts' }, step.attempts.map((a) => h('li', { 'data-testid': 'attempt' },
          `Before ${a.suds_before}, peak ${a.suds_peak}, after ${a.suds_after} · `, timeElement(a.attempted_at))))
        : h('span', { class: 'row-meta' }, ' · not tried yet')))),
  );
}
