// An exposure ladder: the fear and its steps in order, each with the distress expected
// (SUDS 0–100), steps added and removed; and a form to record an attempt at a step.

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { numberField, numberOf, privateField, textField } from './cbt-fields.js';

const MAX_STEPS = 20;

/** options: {ladder (to change), homeworkId, onSaved(ladder)} */
export function ladderForm(ctx, options) {
  const ladder = options.ladder || {};
  const alert = formAlert();
  const fear = textField('ladder-fear', 'What fear is this ladder for?', ladder.fear,
    { max: 200, required: true, hint: 'e.g. “Crowded places”.' });
  const steps = stepList(ladder.steps?.length ? ladder.steps : [{}]);
  const privacy = privateField('ladder-private', ladder.private);
  const submit = button(ladder.id ? 'Save changes' : 'Save ladder', { type: 'submit', 'data-testid': 'ladder-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'ladder-form' },
    alert, fear, steps.element, privacy, h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Saving…', async () => {
    alert.clear();
    const known = { fear, ...steps.fields() };
    clearFieldErrors(known);
    const body = { fear: fear.control.value, steps: steps.values(), private: privacy.control.checked };
    if (options.homeworkId) body.homework_id = Number(options.homeworkId);
    let saved;
    try {
      saved = ladder.id
        ? await ctx.api(`/api/cbt/exposure-ladders/${encodeURIComponent(ladder.id)}`, { method: 'PUT', body })
        : await ctx.api('/api/cbt/exposure-ladders', { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, known);
      return;
    }
    options.onSaved(saved);
  });
  return form;
}

function stepList(initial) {
  const list = h('ol', { class: 'ladder-steps', 'data-testid': 'ladder-steps' });
  const rows = [];
  let counter = 0;
  const add = button('Add a step', { class: 'button small secondary', 'data-testid': 'ladder-add-step' });
  const refresh = () => {
    add.hidden = rows.length >= MAX_STEPS;
    rows.forEach((row, index) => {
      row.remove.hidden = rows.length === 1;
      row.remove.setAttribute('aria-label', `Remove step ${index + 1}`);
      row.description.querySelector('label').textContent = `Step ${index + 1}`;
    });
  };
  const addRow = (step = {}) => {
    counter += 1;
    const id = `ladder-step-${counter}`;
    const description = field({ id: `${id}-description`, label: 'Step', value: step.description || '', attrs: { maxlength: 300 } });
    const suds = numberField(`${id}-suds`, 'Expected distress (SUDS 0–100)', 0, 100, step.expected_suds);
    const remove = button('Remove', { class: 'button small secondary' });
    const element = h('li', { class: 'emotion-row', 'data-testid': 'ladder-step' }, description, suds, remove);
    const row = { element, description, suds, remove, id: step.id };
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      element.remove();
      refresh();
      rows[0]?.description.control.focus();
    });
    rows.push(row);
    list.append(element);
    refresh();
    return row;
  };
  initial.forEach((step) => addRow(step));
  add.addEventListener('click', () => addRow().description.control.focus());
  return {
    element: h('fieldset', {},
      h('legend', {}, 'Steps, from the least to the most feared (1 to 20)'),
      h('p', { class: 'hint' }, 'Removing a step also removes the attempts recorded at it.'),
      list, add),
    values: () => rows.map((row) => ({
      id: row.id,
      description: row.description.control.value,
      expected_suds: numberOf(row.suds),
    })),
    fields: () => Object.fromEntries(rows.flatMap((row, index) => [
      [`steps.${index}.description`, row.description],
      [`steps.${index}.expected_suds`, row.suds],
    ])),
  };
}

/** Records an attempt at one step. options: {ladderId, step, onSaved} */
export function attemptForm(ctx, options) {
  const base = `ladder-attempt-${options.step.id}`;
  const alert = formAlert();
  const fields = {
    suds_before: numberField(`${base}-before`, 'Distress before (0–100)', 0, 100),
    suds_peak: numberField(`${base}-peak`, 'At its peak (0–100)', 0, 100),
    suds_after: numberField(`${base}-after`, 'After (0–100)', 0, 100),
  };
  const submit = button('Record attempt', { type: 'submit', class: 'button small', 'data-testid': 'attempt-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'attempt-form' },
    alert, h('div', { class: 'inline-fields top' }, fields.suds_before, fields.suds_peak, fields.suds_after), submit);
  onSubmit(form, submit, 'Saving…', async () => {
    alert.clear();
    clearFieldErrors(fields);
    const body = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, numberOf(f)]));
    const path = `/api/cbt/exposure-ladders/${encodeURIComponent(options.ladderId)}/steps/${encodeURIComponent(options.step.id)}/attempts`;
    try {
      await ctx.api(path, { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, fields);
      return;
    }
    options.onSaved();
  });
  return h('details', {}, h('summary', {}, `Record an attempt at “${options.step.description}”`), form);
}
