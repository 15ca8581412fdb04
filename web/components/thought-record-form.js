// The thought record form: every field, emotions added and removed, thinking traps as
// checkboxes in plain language, and "private". It writes a new record (linked to its
// homework, when started from one) or changes one.

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { THINKING_TRAPS } from './cbt-labels.js';
import { numberField, numberOf, privateField, textField } from './cbt-fields.js';

const MAX_EMOTIONS = 10;

/** options: {record (to change), homeworkId, onSaved(record)} */
export function thoughtRecordForm(ctx, options) {
  const record = options.record || {};
  const alert = formAlert();
  const fields = {
    situation: textField('tr-situation', 'What happened? (the situation)', record.situation,
      { multiline: true, max: 500, required: true, hint: 'Where were you, who with, what was going on? Up to 500 characters.' }),
    automatic_thought: textField('tr-automatic-thought', 'What went through your mind? (the automatic thought)', record.automatic_thought,
      { multiline: true, max: 500, required: true, hint: 'Up to 500 characters.' }),
    belief_before: numberField('tr-belief-before', 'How much did you believe it? (0–100%)', 0, 100, record.belief_before),
    evidence_for: textField('tr-evidence-for', 'Evidence that supports the thought (optional)', record.evidence_for,
      { multiline: true, max: 1000, hint: 'Up to 1,000 characters.' }),
    evidence_against: textField('tr-evidence-against', 'Evidence against the thought (optional)', record.evidence_against,
      { multiline: true, max: 1000, hint: 'Up to 1,000 characters.' }),
    balanced_thought: textField('tr-balanced-thought', 'A more balanced thought (optional)', record.balanced_thought,
      { multiline: true, max: 500, hint: 'Up to 500 characters.' }),
    belief_after: numberField('tr-belief-after', 'How much do you believe the first thought now? (0–100%, optional)', 0, 100, record.belief_after),
  };
  const privacy = privateField('tr-private', record.private);
  const emotions = emotionList(record.emotions?.length ? record.emotions : [{}]);
  const traps = trapChecks(record.thinking_traps || []);
  const submit = button(record.id ? 'Save changes' : 'Save thought record', { type: 'submit', 'data-testid': 'tr-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'thought-record-form' },
    alert,
    fields.situation,
    emotions.element,
    fields.automatic_thought,
    fields.belief_before,
    traps.element,
    fields.evidence_for,
    fields.evidence_against,
    fields.balanced_thought,
    fields.belief_after,
    privacy,
    h('div', { class: 'actions' }, submit));

  onSubmit(form, submit, 'Saving…', async () => {
    alert.clear();
    const known = { ...fields, ...emotions.fields() };
    clearFieldErrors(known);
    const body = {
      situation: fields.situation.control.value,
      emotions: emotions.values(),
      automatic_thought: fields.automatic_thought.control.value,
      belief_before: numberOf(fields.belief_before),
      thinking_traps: traps.values(),
      evidence_for: fields.evidence_for.control.value,
      evidence_against: fields.evidence_against.control.value,
      balanced_thought: fields.balanced_thought.control.value,
      belief_after: numberOf(fields.belief_after),
      private: privacy.control.checked,
    };
    if (options.homeworkId) body.homework_id = Number(options.homeworkId);
    let saved;
    try {
      saved = record.id
        ? await ctx.api(`/api/cbt/thought-records/${encodeURIComponent(record.id)}`, { method: 'PUT', body })
        : await ctx.api('/api/cbt/thought-records', { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, known);
      return;
    }
    options.onSaved(saved);
  });
  return form;
}

/** The emotions, each with its intensity before and (optional) after; add and remove. */
function emotionList(initial) {
  const list = h('div', { 'data-testid': 'tr-emotions' });
  const rows = [];
  let counter = 0;
  const add = button('Add an emotion', { class: 'button small secondary', 'data-testid': 'tr-add-emotion' });
  const renumber = () => {
    add.hidden = rows.length >= MAX_EMOTIONS;
    rows.forEach((row, index) => {
      row.remove.hidden = rows.length === 1;
      row.remove.setAttribute('aria-label', `Remove emotion ${index + 1}`);
      row.name.querySelector('label').textContent = `Emotion ${index + 1}`;
    });
  };
  const addRow = (emotion = {}) => {
    counter += 1;
    const id = `tr-emotion-${counter}`;
    const name = field({ id: `${id}-name`, label: 'Emotion', value: emotion.name || '', hint: 'e.g. anxious, sad, angry', attrs: { maxlength: 50 } });
    const before = numberField(`${id}-before`, 'How strong (0–100)', 0, 100, emotion.before);
    const after = numberField(`${id}-after`, 'Strength after (optional)', 0, 100, emotion.after);
    const remove = button('Remove', { class: 'button small secondary', 'data-testid': 'tr-remove-emotion' });
    const element = h('div', { class: 'emotion-row', 'data-testid': 'tr-emotion' }, name, before, after, remove);
    const row = { element, name, before, after, remove };
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      element.remove();
      renumber();
      rows[0]?.name.control.focus();
    });
    rows.push(row);
    list.append(element);
    renumber();
    return row;
  };
  initial.forEach((emotion) => addRow(emotion));
  add.addEventListener('click', () => addRow().name.control.focus());
  const element = h('fieldset', {},
    h('legend', {}, 'How did you feel? (1 to 10 emotions)'),
    list, add);
  return {
    element,
    values: () => rows.map((row) => ({
      name: row.name.control.value,
      before: numberOf(row.before),
      after: numberOf(row.after),
    })),
    // The server names a bad emotion by its place: emotions.0.before.
    fields: () => Object.fromEntries(rows.flatMap((row, index) => [
      [`emotions.${index}.name`, row.name],
      [`emotions.${index}.before`, row.before],
      [`emotions.${index}.after`, row.after],
    ])),
  };
}

function trapChecks(chosen) {
  const boxes = THINKING_TRAPS.map(([id, name, meaning]) => {
    const box = h('input', { type: 'checkbox', id: `trap-${id}`, value: id, checked: chosen.includes(id), 'aria-describedby': `trap-${id}-hint`, 'data-testid': `trap-${id}` });
    return { box, element: h('label', { for: `trap-${id}` }, box,
      h('span', {}, h('span', {}, name), h('span', { class: 'hint', id: `trap-${id}-hint` }, ` — ${meaning}`))) };
  });
  return {
    element: h('fieldset', { class: 'checks' },
      h('legend', {}, 'Thinking traps you notice in the thought (optional)'),
      boxes.map((b) => b.element)),
    values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value),
  };
}
