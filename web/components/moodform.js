// The mood check-in form, on Home and on the Mood page.

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';

const WORDS = {
  1: 'very low',
  2: 'low',
  3: 'low',
  4: 'a bit low',
  5: 'okay',
  6: 'okay',
  7: 'fairly good',
  8: 'good',
  9: 'very good',
  10: 'very good',
};

/**
 * options.api: the API client (the view's), to save the check-in with.
 * options.withSleep: also ask for hours of sleep.
 * options.onSaved(entry): after a check-in is saved.
 */
export function moodForm(options) {
  const alert = formAlert();
  const radios = scoreRadios();
  const note = field({
    id: 'mood-note',
    name: 'note',
    label: 'Anything you would like to add? (optional)',
    hint: 'Only you and your care team can see this.',
    multiline: true,
    rows: 3,
    attrs: { maxlength: '2000' },
  });
  const sleep = options.withSleep ? sleepField() : null;
  const submit = button('Save check-in', { type: 'submit', 'data-testid': 'mood-submit' });
  const fields = { note, ...(sleep ? { sleep_hours: sleep } : {}) };
  const form = h('form', { novalidate: true, class: 'mood-form', 'data-testid': 'mood-form' },
    alert, scoreFieldset(radios), sleep, note, h('div', { class: 'actions' }, submit));

  onSubmit(form, submit, 'Saving…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    const body = checkInBody(radios, note, sleep, alert, fields);
    if (!body) return;
    try {
      const result = await options.api('/api/mood', { method: 'POST', body });
      form.reset();
      alert.show('success', ...thanks(body.score));
      if (options.onSaved) options.onSaved(result?.entry || null);
    } catch (error) {
      showFormError(error, alert, fields);
    }
  });

  return form;
}

function scoreRadios() {
  const radios = [];
  for (let n = 1; n <= 10; n += 1) {
    radios.push(h('input', {
      type: 'radio',
      name: 'score',
      id: `mood-score-${n}`,
      value: String(n),
      'aria-describedby': 'mood-scale-ends',
    }));
  }
  return radios;
}

/** The ten radios as a row of boxes; screen readers hear the number and its word. */
function scoreFieldset(radios) {
  const scale = h('div', { class: 'scale', role: 'presentation' });
  radios.forEach((input, i) => {
    const n = i + 1;
    scale.append(
      h(
        'div',
        { class: 'scale-option' },
        input,
        h('label', { for: input.id }, h('span', { 'aria-hidden': 'true' }, String(n)),
          h('span', { class: 'visually-hidden' }, `${n}, ${WORDS[n]}`)),
      ),
    );
  });
  return h(
    'fieldset',
    { 'data-testid': 'mood-scale' },
    h('legend', {}, 'How are you feeling right now?'),
    scale,
    h('div', { class: 'scale-ends', id: 'mood-scale-ends' },
      h('span', {}, '1 = very low'), h('span', {}, '10 = very good')),
  );
}

function sleepField() {
  return field({
    id: 'mood-sleep',
    name: 'sleep_hours',
    label: 'Hours of sleep last night (optional)',
    type: 'number',
    attrs: { min: '0', max: '24', step: '0.5', inputmode: 'decimal' },
  });
}

/** The check-in to send, or null after showing what is missing or wrong. */
function checkInBody(radios, note, sleep, alert, fields) {
  const chosen = radios.find((r) => r.checked);
  if (!chosen) {
    alert.show('error', 'Choose a number from 1 (very low) to 10 (very good).');
    radios[0].focus();
    return null;
  }
  const body = { score: Number(chosen.value) };
  const text = note.control.value.trim();
  if (text) body.note = text;
  if (sleep && sleep.control.value !== '') {
    const hours = Number(sleep.control.value);
    if (!Number.isFinite(hours) || hours < 0 || hours > 24) {
      showFormError({ field: 'sleep_hours', message: 'Hours of sleep are between 0 and 24.' }, alert, fields);
      return null;
    }
    body.sleep_hours = hours;
  }
  return body;
}

// A low score gets a gentle pointer to help, right where the person is looking.
function thanks(score) {
  const lines = [h('p', {}, `Thank you. Your check-in (${score} out of 10) is saved.`)];
  if (score <= 3) {
    lines.push(h('p', {}, 'It sounds like things are hard right now. You can message your care team, and ',
      'if you need help now, use the “Need help now?” button at the top of the page.'));
  }
  return lines;
}
