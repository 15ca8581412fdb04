// A patient's questionnaire schedules, for the clinicians of their care team: the list
// with Remove, and a form to ask for a questionnaire every so many days.

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { formatDate } from './format.js';
import { describeError } from './status.js';
import { instrumentName, INSTRUMENT_NAMES } from './measures.js';

/** options: {api, notify, username, reload} */
export function schedulesPanel(schedules, options) {
  const base = `/api/clinician/patients/${encodeURIComponent(options.username)}/schedules`;
  const list = schedules.length
    ? h('ul', { class: 'rows', 'data-testid': 'schedules' }, schedules.map((s) => scheduleItem(s, base, options)))
    : h('p', { class: 'empty', 'data-testid': 'schedules-empty' }, 'No questionnaires are scheduled.');

  const alert = formAlert();
  const instrument = field({
    id: 'schedule-instrument',
    label: 'Questionnaire',
    options: Object.entries(INSTRUMENT_NAMES),
  });
  const every = field({
    id: 'schedule-every',
    label: 'Every (days)',
    type: 'number',
    value: '14',
    hint: 'From 7 to 90 days.',
    attrs: { min: 7, max: 90, inputmode: 'numeric' },
  });
  const starts = field({ id: 'schedule-starts', label: 'Starting (optional)', type: 'date', hint: 'Today when left empty.' });
  const submit = button('Add schedule', { type: 'submit', 'data-testid': 'schedule-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'schedule-form' },
    h('h3', {}, 'Ask for a questionnaire regularly'), alert,
    h('div', { class: 'inline-fields' }, instrument, every, starts), submit);
  const fields = { instrument, every_days: every, starts_on: starts };
  onSubmit(form, submit, 'Adding…', async () => {
    alert.clear();
    clearFieldErrors(fields);
    const days = Number.parseInt(every.control.value, 10);
    const body = { instrument: instrument.control.value, every_days: Number.isFinite(days) ? days : 0 };
    if (starts.control.value) body.starts_on = starts.control.value;
    try {
      await options.api(base, { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, fields);
      return;
    }
    options.notify(`${instrumentName(body.instrument)} scheduled every ${body.every_days} days.`);
    options.reload();
  });
  return h('div', {}, list, form);
}

function scheduleItem(schedule, base, options) {
  const remove = button('Remove', { class: 'button small danger secondary', 'data-testid': 'schedule-remove' });
  const note = h('p', { class: 'field-error', role: 'alert' });
  remove.addEventListener('click', async () => {
    if (remove.isBusy()) return;
    remove.setBusy(true, 'Removing…');
    try {
      await options.api(`${base}/${encodeURIComponent(schedule.id)}`, { method: 'DELETE' });
    } catch (error) {
      remove.setBusy(false);
      if (!error.handled) note.textContent = describeError(error);
      return;
    }
    options.notify('Schedule removed.');
    options.reload();
  });
  return h(
    'li',
    { 'data-testid': 'schedule', 'data-schedule-id': schedule.id, 'data-instrument': schedule.instrument },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, instrumentName(schedule.instrument)),
      h('span', { class: 'row-meta' }, `every ${schedule.every_days} days from ${formatDate(`${schedule.starts_on}T12:00:00`)}`,
        schedule.created_by ? ` · by ${schedule.created_by}` : '')),
    h('div', { class: 'row-actions' }, remove),
    note,
  );
}
