// One risk alert for clinicians: urgent and overdue marked in words (not colour alone),
// with Acknowledge and Resolve, each in a dialog.

import { h } from './dom.js';
import { button } from './button.js';
import { timeElement } from './format.js';
import { openDialog } from './dialog.js';
import { field } from './form.js';
import { OUTCOMES, outcomeLabel } from './measures.js';

/** options: {api, notify, reload, showPatient (a link to the patient's page)} */
export function alertItem(alert, options) {
  const who = alert.patient?.display_name || alert.patient?.username || 'A patient';
  const urgent = alert.severity === 'urgent';
  const actions = h('div', { class: 'row-actions' });
  if (alert.status === 'open') {
    const ack = button('Acknowledge', { class: 'button small', 'data-testid': 'alert-acknowledge' });
    ack.addEventListener('click', () => acknowledgeDialog(alert, who, ack, options));
    actions.append(ack);
  }
  if (alert.status !== 'resolved') {
    const resolve = button('Resolve', { class: 'button small secondary', 'data-testid': 'alert-resolve' });
    resolve.addEventListener('click', () => resolveDialog(alert, who, resolve, options));
    actions.append(resolve);
  }
  const patientLink = options.showPatient !== false
    ? h('a', { href: `/clinician/patients/${encodeURIComponent(alert.patient.username)}/overview`, 'data-testid': 'alert-patient' }, who)
    : null;
  return h(
    'li',
    {
      class: `alert-row ${urgent ? 'urgent' : 'review'}`,
      'data-testid': 'alert',
      'data-alert-id': alert.id,
      'data-severity': alert.severity,
      'data-status': alert.status,
      'data-overdue': alert.overdue ? 'true' : 'false',
    },
    h('div', { class: 'row-main' },
      h('span', { class: `pill ${urgent ? 'bad' : 'warn'}`, 'data-testid': 'alert-severity' },
        urgent ? '⚠ Urgent' : 'Review'),
      alert.overdue ? h('span', { class: 'pill bad outline', 'data-testid': 'alert-overdue' }, 'Overdue: not acknowledged in time') : null,
      patientLink ? h('span', { class: 'row-title' }, patientLink) : null),
    h('p', { class: 'alert-summary', 'data-testid': 'alert-summary' }, alert.summary),
    h('div', { class: 'row-meta' },
      'Triggered ', timeElement(alert.triggered_at),
      alert.trigger_count > 1 ? ` · ${alert.trigger_count} times since ` : null,
      alert.trigger_count > 1 ? timeElement(alert.first_triggered_at) : null,
      alert.acknowledged_by ? [' · acknowledged by ', alert.acknowledged_by, ' ', timeElement(alert.acknowledged_at)] : null,
      alert.resolved_by ? [' · resolved by ', alert.resolved_by, ' ', timeElement(alert.resolved_at)] : null,
      alert.outcome ? h('span', { 'data-testid': 'alert-outcome' }, ` · outcome: ${outcomeLabel(alert.outcome)}`) : null),
    'plan_reviewed_at' in alert ? planReviewed(alert) : null,
    actions,
  );
}

/** When the patient's safety plan was last gone through with a clinician. */
function planReviewed(alert) {
  return h('p', { class: 'row-meta', 'data-testid': 'alert-plan-reviewed', 'data-reviewed': alert.plan_reviewed_at ? 'true' : 'false' },
    'Safety plan last reviewed: ', alert.plan_reviewed_at ? timeElement(alert.plan_reviewed_at) : 'never', ' · ',
    h('a', { href: `/clinician/patients/${encodeURIComponent(alert.patient.username)}/safety-plan` }, 'Safety plan'));
}

function acknowledgeDialog(alert, who, opener, options) {
  openDialog({
    title: 'Acknowledge this alert?',
    testid: 'acknowledge-dialog',
    opener,
    confirmLabel: 'Acknowledge',
    content: [
      h('p', {}, `${who}: ${alert.summary}`),
      h('p', { class: 'muted' }, 'Your care team will see that you have seen it and are dealing with it.'),
    ],
    onConfirm: async () => {
      await options.api(`/api/clinician/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { method: 'POST' });
      options.notify('Alert acknowledged.');
      options.reload();
    },
  });
}

function resolveDialog(alert, who, opener, options) {
  const choices = h('fieldset', { class: 'question', 'data-testid': 'resolve-outcome' },
    h('legend', {}, 'Outcome'),
    h('div', { class: 'choices' }, OUTCOMES.map(([value, label]) => h('div', { class: 'choice' },
      h('input', { type: 'radio', name: 'outcome', id: `outcome-${value}`, value, required: true }),
      h('label', { for: `outcome-${value}` }, label)))));
  const note = field({
    id: 'resolve-note',
    label: 'Note for the care team (optional)',
    hint: 'Not shown to the patient. At most 2,000 characters.',
    multiline: true,
    rows: 3,
    attrs: { maxlength: 2000 },
  });
  openDialog({
    title: 'Resolve this alert',
    testid: 'resolve-dialog',
    opener,
    confirmLabel: 'Resolve',
    content: [h('p', {}, `${who}: ${alert.summary}`), choices, note],
    onConfirm: async (formAlert) => {
      const outcome = choices.querySelector('input:checked')?.value;
      if (!outcome) {
        formAlert.show('error', 'Choose an outcome first.');
        choices.querySelector('input').focus();
        return false;
      }
      const text = note.control.value.trim();
      await options.api(`/api/clinician/alerts/${encodeURIComponent(alert.id)}/resolve`, {
        method: 'POST',
        body: text ? { outcome, note: text } : { outcome },
      });
      options.notify('Alert resolved.');
      options.reload();
      return true;
    },
  });
}

/** A list of alerts, or a line saying there are none. */
export function alertList(ctx, alerts, empty, reload, showPatient = true) {
  if (!alerts.length) return h('p', { class: 'empty', 'data-testid': 'alerts-empty' }, empty);
  return h('ul', { class: 'rows alerts' }, alerts.map((alert) =>
    alertItem(alert, { api: ctx.api, notify: ctx.notify, reload, showPatient })));
}
