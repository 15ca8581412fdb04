// A planned activity: what and when, then whether it was done and how much mastery and
// pleasure it gave (0–10, asked once it is done).

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { numberField, numberOf, privateField, textField } from './cbt-fields.js';

function today() {
  return new Date().toISOString().slice(0, 10);
}

/** options: {activity (to change), homeworkId, onSaved(activity)} */
export function activityForm(ctx, options) {
  const activity = options.activity || {};
  const alert = formAlert();
  const fields = {
    title: textField('activity-title', 'What will you do?', activity.title,
      { max: 200, required: true, hint: 'Something small and specific, e.g. “Walk to the park with Sam”.' }),
    planned_on: field({ id: 'activity-day', label: 'When', type: 'date', value: activity.planned_on || today(), required: true }),
    mastery: numberField('activity-mastery', 'Mastery: how much did you achieve? (0–10)', 0, 10, activity.mastery),
    pleasure: numberField('activity-pleasure', 'Pleasure: how much did you enjoy it? (0–10)', 0, 10, activity.pleasure),
  };
  const doneBox = h('input', { type: 'checkbox', id: 'activity-done', checked: Boolean(activity.done), 'data-testid': 'activity-done' });
  const ratings = h('fieldset', { 'data-testid': 'activity-ratings' },
    h('legend', {}, 'How did it go?'),
    h('p', { class: 'hint' }, 'Rate both once you have done it.'),
    h('div', { class: 'inline-fields top' }, fields.mastery, fields.pleasure));
  const showRatings = () => { ratings.hidden = !doneBox.checked; };
  doneBox.addEventListener('change', showRatings);
  showRatings();
  const privacy = privateField('activity-private', activity.private);
  const submit = button(activity.id ? 'Save changes' : 'Plan it', { type: 'submit', 'data-testid': 'activity-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'activity-form' },
    alert, fields.title, fields.planned_on,
    h('div', { class: 'checks' }, h('label', { for: 'activity-done' }, doneBox, h('span', {}, 'I have done it'))),
    ratings, privacy, h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Saving…', async () => {
    alert.clear();
    clearFieldErrors(fields);
    const body = {
      title: fields.title.control.value,
      planned_on: fields.planned_on.control.value,
      done: doneBox.checked,
      mastery: doneBox.checked ? numberOf(fields.mastery) : undefined,
      pleasure: doneBox.checked ? numberOf(fields.pleasure) : undefined,
      private: privacy.control.checked,
    };
    if (options.homeworkId) body.homework_id = Number(options.homeworkId);
    let saved;
    try {
      saved = activity.id
        ? await ctx.api(`/api/cbt/activities/${encodeURIComponent(activity.id)}`, { method: 'PUT', body })
        : await ctx.api('/api/cbt/activities', { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, fields);
      return;
    }
    options.onSaved(saved);
  });
  return form;
}
