// One questionnaire as a form: the question and its recall period, each item a real radio
// group (fieldset and legend), the skip logic of the C-SSRS (an item asked only after a
// "yes" appears only then, and only asked items are sent), and the attribution line.

import { h } from './dom.js';
import { button } from './button.js';
import { formAlert, onSubmit } from './form.js';
import { describeError } from './status.js';

/**
 * instrument: one entry of GET /api/measures. submit(answers) sends them and resolves
 * with the result (or throws an ApiError). done(result) is called after a success.
 */
export function questionnaireForm(instrument, { submit, done }) {
  const alert = formAlert();
  const groups = new Map();
  for (const item of instrument.items) groups.set(item.id, itemGroup(instrument, item));

  const asked = (item) => !item.asked_when_yes || chosen(groups, item.asked_when_yes) === true;
  const applySkips = () => {
    for (const item of instrument.items) {
      const group = groups.get(item.id);
      const show = asked(item);
      if (!show && !group.hidden) for (const input of group.querySelectorAll('input')) input.checked = false;
      group.hidden = !show;
    }
  };
  const sendButton = button('Send my answers', { type: 'submit', 'data-testid': 'measure-submit' });
  const form = h(
    'form',
    { class: 'questionnaire', novalidate: true, 'data-testid': `questionnaire-${instrument.id}`, 'aria-describedby': `${instrument.id}-question` },
    h('p', { class: 'question-stem', id: `${instrument.id}-question`, 'data-testid': 'question-stem' }, instrument.question),
    h('p', { class: 'muted', 'data-testid': 'recall-period' }, `Think about: ${instrument.recall_period}.`),
    alert,
    [...groups.values()],
    h('div', { class: 'form-actions' }, sendButton),
    h('p', { class: 'attribution small muted', 'data-testid': 'attribution' }, instrument.attribution),
  );
  form.addEventListener('change', () => {
    applySkips();
    for (const item of instrument.items) {
      if (chosen(groups, item.id) !== undefined) markMissing(groups.get(item.id), false);
    }
  });
  applySkips();

  onSubmit(form, sendButton, 'Sending…', async () => {
    alert.clear();
    const answers = {};
    const missing = [];
    for (const item of instrument.items) {
      if (!asked(item)) continue;
      const value = chosen(groups, item.id);
      if (value === undefined) {
        if (!item.optional) missing.push(item);
        continue;
      }
      answers[item.id] = value;
    }
    for (const item of instrument.items) markMissing(groups.get(item.id), missing.includes(item));
    if (missing.length) {
      const list = missing.map(number).join(', ');
      alert.show('error', missing.length === 1
        ? `Please answer question ${list}.`
        : `Please answer questions ${list}.`);
      groups.get(missing[0].id).querySelector('input').focus();
      return;
    }
    let result;
    try {
      result = await submit(answers);
    } catch (error) {
      if (error.handled) return;
      const itemId = /^answers\.(.+)$/.exec(error.field || '')?.[1];
      const group = itemId && groups.get(itemId);
      if (group) {
        markMissing(group, true, error.message);
        group.querySelector('input').focus();
      }
      alert.show('error', describeError(error));
      return;
    }
    done(result);
  });
  return form;
}

/** How an item is named in a message: "1", "6b", or for PHQ-9's unnumbered item, its topic. */
function number(item) {
  return /^\d+[a-z]?$/.test(item.id) ? item.id : 'about difficulty';
}

function itemGroup(instrument, item) {
  const name = `${instrument.id}-${item.id}`;
  const legendId = `${name}-legend`;
  const label = /^\d+[a-z]?$/.test(item.id) ? `${item.id}. ` : '';
  const error = h('p', { class: 'field-error', id: `${name}-error`, hidden: true });
  const group = h(
    'fieldset',
    { class: 'question', id: `${name}-group`, 'data-testid': 'question', 'data-item': item.id, 'aria-describedby': item.hint ? `${name}-hint` : null },
    h('legend', { id: legendId }, label, item.text, item.optional ? h('span', { class: 'muted' }, ' (optional)') : null),
    item.hint ? h('p', { class: 'hint', id: `${name}-hint` }, item.hint) : null,
    error,
    h('div', { class: `choices ${item.kind === 'yes_no' ? 'inline' : ''}` }, item.options.map((option, index) => {
      const id = `${name}-${index}`;
      return h('div', { class: 'choice' },
        h('input', { type: 'radio', id, name, value: JSON.stringify(option.value), required: !item.optional }),
        h('label', { for: id }, option.label));
    })),
  );
  group.errorEl = error;
  return group;
}

function markMissing(group, missing, message) {
  group.classList.toggle('invalid', missing);
  group.errorEl.hidden = !missing;
  group.errorEl.textContent = missing ? message || 'Please choose an answer.' : '';
  if (missing) group.setAttribute('aria-invalid', 'true');
  else group.removeAttribute('aria-invalid');
  const described = [group.querySelector('.hint')?.id, missing ? group.errorEl.id : null].filter(Boolean).join(' ');
  if (described) group.setAttribute('aria-describedby', described);
  else group.removeAttribute('aria-describedby');
}

/** The chosen answer of an item (0–3, true/false), or undefined. */
function chosen(groups, itemId) {
  const group = groups.get(itemId);
  const input = group && !group.hidden ? group.querySelector('input:checked') : null;
  return input ? JSON.parse(input.value) : undefined;
}
