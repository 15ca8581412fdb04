// Home cards for questionnaires (patients: what is due) and alerts (clinicians: open
// alerts, urgent first).

import { h } from './dom.js';
import { plural } from './format.js';
import { dueList } from './due.js';

export function dueCard(data) {
  const due = data.measures_due || [];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-due-title', 'data-testid': 'home-measures' },
    h('h2', { id: 'home-due-title' }, 'Questionnaires'),
    dueList(due, 'No questionnaires are due.'),
    h('p', { class: 'small' }, h('a', { href: '/measures', 'data-testid': 'home-all-measures' }, 'All questionnaires and your answers over time')),
  );
}

export function alertsCard(info) {
  const counts = info.open_alerts || {};
  const urgent = Number(counts.urgent) || 0;
  const review = Number(counts.review) || 0;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-alerts-title', 'data-testid': 'home-alerts' },
    h('h2', { id: 'home-alerts-title' }, 'Alerts'),
    urgent
      ? h('p', { class: 'home-urgent', 'data-testid': 'home-alerts-urgent' },
        h('span', { class: 'pill bad' }, '⚠ Urgent'), ' ', `${plural(urgent, 'urgent alert')} not yet acknowledged.`)
      : h('p', { 'data-testid': 'home-alerts-urgent' }, 'No urgent alerts.'),
    h('p', { 'data-testid': 'home-alerts-review' },
      review ? `${plural(review, 'alert')} to review.` : 'No alerts to review.'),
    h('p', {}, h('a', { class: urgent ? 'button' : 'button secondary', href: '/clinician/alerts', 'data-testid': 'home-open-alerts' }, 'Open the alert inbox')),
  );
}
