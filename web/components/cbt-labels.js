// Words for CBT records and homework: thinking traps in plain language, the kinds of
// homework, and where each kind is done.

import { h } from './dom.js';
import { formatter } from './format.js';

/** The thinking traps a thought record may name: [id, name, what it means]. */
export const THINKING_TRAPS = Object.freeze([
  ['all_or_nothing', 'All-or-nothing thinking', 'Seeing things as all good or all bad, with nothing in between.'],
  ['catastrophising', 'Catastrophising', 'Expecting the worst possible outcome.'],
  ['mind_reading', 'Mind reading', 'Believing you know what others are thinking about you.'],
  ['fortune_telling', 'Fortune telling', 'Predicting that things will turn out badly.'],
  ['overgeneralising', 'Overgeneralising', 'One bad thing means everything will go wrong.'],
  ['labelling', 'Labelling', 'Calling yourself names, like “failure” or “useless”.'],
  ['should_statements', 'Should statements', 'Strict rules for yourself: “I should”, “I must”.'],
  ['emotional_reasoning', 'Emotional reasoning', 'I feel it, so it must be true.'],
  ['personalising', 'Personalising', 'Blaming yourself for things outside your control.'],
  ['mental_filter', 'Mental filter', 'Noticing only the bad and filtering out the good.'],
  ['discounting_the_positive', 'Discounting the positive', 'Telling yourself that good things “don’t count”.'],
]);

export function trapName(id) {
  return THINKING_TRAPS.find(([trap]) => trap === id)?.[1] || id;
}

/** What each kind of homework asks for, and where the patient does it. */
export const HOMEWORK_KINDS = Object.freeze({
  thought_record: { name: 'Thought record', start: '/cbt/thought-records/new', list: '/cbt/thought-records' },
  activity: { name: 'Planned activity', start: '/cbt/activities/new', list: '/cbt/activities' },
  exposure: { name: 'Exposure practice', start: '/cbt/exposure-ladders/new', list: '/cbt/exposure-ladders' },
});

export function kindName(kind) {
  return HOMEWORK_KINDS[kind]?.name || kind;
}

const STATUS = {
  assigned: ['To do', 'info'],
  done: ['Done', 'good'],
  overdue: ['Overdue', 'warn'],
};

export function homeworkStatus(status) {
  const [label, tone] = STATUS[status] || [status, 'info'];
  return h('span', { class: `pill ${tone}`, 'data-testid': 'homework-status', 'data-status': status }, label);
}

/** A due day (YYYY-MM-DD) as people read it. */
export function dayText(day) {
  if (!day) return '';
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return formatter({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Where the record that did a homework can be opened, for its owner. */
export function recordPath(kind, id) {
  const list = HOMEWORK_KINDS[kind]?.list;
  return list && id ? `${list}/${encodeURIComponent(id)}` : null;
}

/** The private marker a patient sees on their own records. */
export function privateBadge(record) {
  return record.private ? h('span', { class: 'pill outline', 'data-testid': 'private-badge' }, 'Private: only you') : null;
}
