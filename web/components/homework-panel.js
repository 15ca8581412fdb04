// The homework section of a patient's page, for the clinicians of their care team: assign
// homework, see each one assigned, done or overdue (withdraw it), and read the patient's
// records that are not private. It loads its own data.

import { h } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { loading, errorBox, describeError } from './status.js';
import { awaitingApproval } from './approval.js';
import { HOMEWORK_KINDS, kindName, homeworkStatus, dayText } from './cbt-labels.js';
import { thoughtRecordCard, activityRow, ladderCard } from './cbt-records.js';
import { ErrorCode } from '../error-codes.js';

export function homeworkSection(ctx, username) {
  const base = `/api/clinician/patients/${encodeURIComponent(username)}`;
  const area = h('div', {}, loading('Loading homework…'));
  const section = h('section', { class: 'panel', 'aria-labelledby': 'patient-homework-title', 'data-testid': 'patient-homework' },
    h('h2', { id: 'patient-homework-title' }, 'Homework'), area);
  const load = async () => {
    let homework;
    let records;
    try {
      const [list, thoughts, activities, ladders] = await Promise.all([
        ctx.api(`${base}/homework`),
        ctx.api(`${base}/cbt/thought-records`),
        ctx.api(`${base}/cbt/activities`),
        ctx.api(`${base}/cbt/exposure-ladders`),
      ]);
      homework = list.homework || [];
      records = { thoughts: thoughts.thought_records || [], activities: activities.activities || [], ladders: ladders.exposure_ladders || [] };
    } catch (error) {
      if (error.handled) return;
      area.replaceChildren(error.code === ErrorCode.ClinicianNotApproved ? awaitingApproval() : errorBox(error, load));
      return;
    }
    area.replaceChildren(
      homework.length
        ? h('ul', { class: 'rows', 'data-testid': 'clinician-homework-list' }, homework.map((item) => homeworkItem(ctx, base, item, load)))
        : h('p', { class: 'empty', 'data-testid': 'homework-empty' }, 'No homework assigned yet.'),
      assignForm(ctx, base, load),
      recordsPart(records),
    );
  };
  load();
  return section;
}

function homeworkItem(ctx, base, item, reload) {
  const withdraw = button('Withdraw', { class: 'button small secondary danger', 'data-testid': 'homework-withdraw' });
  const note = h('p', { class: 'field-error', role: 'alert' });
  withdraw.addEventListener('click', async () => {
    if (withdraw.isBusy() || !window.confirm('Withdraw this homework? What the patient did for it stays theirs.')) return;
    withdraw.setBusy(true, 'Withdrawing…');
    try {
      await ctx.api(`${base}/homework/${encodeURIComponent(item.id)}`, { method: 'DELETE' });
    } catch (error) {
      withdraw.setBusy(false);
      if (!error.handled) note.textContent = describeError(error);
      return;
    }
    ctx.notify('Homework withdrawn.');
    reload();
  });
  const done = item.status === 'done';
  return h('li', { 'data-testid': 'homework', 'data-homework-id': item.id, 'data-kind': item.kind },
    h('div', { class: 'row-main' }, h('span', { class: 'row-title' }, kindName(item.kind)), homeworkStatus(item.status)),
    h('p', { class: 'record-line-text' }, item.instructions),
    h('p', { class: 'row-meta' },
      item.due_on ? `Due ${dayText(item.due_on)}` : 'No due date',
      item.assigned_by ? ` · by ${item.assigned_by}` : '',
      done && item.record_id ? h('span', {}, ' · ', h('a', { href: `#record-${item.kind}-${item.record_id}` }, 'see what they did')) : null),
    h('div', { class: 'row-actions' }, withdraw),
    note);
}

function assignForm(ctx, base, reload) {
  const alert = formAlert();
  const fields = {
    kind: field({ id: 'homework-kind', label: 'Kind', options: Object.entries(HOMEWORK_KINDS).map(([id, k]) => [id, k.name]) }),
    instructions: field({ id: 'homework-instructions', label: 'Instructions', multiline: true, rows: 3, required: true,
      hint: 'What to do and when. Up to 1,000 characters.', attrs: { maxlength: 1000 } }),
    due_on: field({ id: 'homework-due', label: 'Due (optional)', type: 'date' }),
  };
  const submit = button('Assign homework', { type: 'submit', 'data-testid': 'homework-assign' });
  const form = h('form', { novalidate: true, class: 'homework-assign', 'data-testid': 'homework-form' },
    h('h3', {}, 'Assign homework'), alert, fields.kind, fields.instructions, fields.due_on, submit);
  onSubmit(form, submit, 'Assigning…', async () => {
    alert.clear();
    clearFieldErrors(fields);
    const body = { kind: fields.kind.control.value, instructions: fields.instructions.control.value };
    if (fields.due_on.control.value) body.due_on = fields.due_on.control.value;
    try {
      await ctx.api(`${base}/homework`, { method: 'POST', body });
    } catch (error) {
      showFormError(error, alert, fields);
      return;
    }
    ctx.notify(`${kindName(body.kind)} assigned.`);
    reload();
  });
  return form;
}

/** The patient's records that are not private; each can be reached from its homework. */
function recordsPart(records) {
  const anchored = (kind, render) => (record) => {
    const item = render(record);
    item.id = `record-${kind}-${record.id}`;
    return item;
  };
  const part = (title, testid, items, render, empty) => h('details', { 'data-testid': testid, open: items.length > 0 },
    h('summary', {}, `${title} (${items.length})`),
    items.length ? h('ul', { class: 'rows' }, items.map(render)) : h('p', { class: 'empty' }, empty));
  return h('div', { class: 'homework-records', 'data-testid': 'patient-cbt-records' },
    h('h3', {}, 'Their records'),
    h('p', { class: 'small muted' }, 'Records the patient keeps private are not shown here.'),
    part('Thought records', 'patient-thought-records', records.thoughts, anchored('thought_record', thoughtRecordCard), 'No thought records shared.'),
    part('Planned activities', 'patient-activities', records.activities, anchored('activity', activityRow), 'No activities shared.'),
    part('Exposure ladders', 'patient-ladders', records.ladders, anchored('exposure', ladderCard), 'No exposure ladders shared.'));
}
