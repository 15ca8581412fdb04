// Clinicians: requests to join, my patients, a patient's mood.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { timeElement, formatWhen, formatNumericDate } from '../components/format.js';
import { rows } from '../components/list.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox, describeError } from '../components/status.js';
import { awaitingApproval } from '../components/approval.js';
import { moodChart } from '../components/chart.js';
import { ErrorCode } from '../error-codes.js';
import { personLabel } from '../components/person.js';
import { chosenPeriod, periodField, entryList } from '../components/mood-history.js';

// A clinician whose account is not approved yet gets 403 clinician_not_approved.
function isPending(ctx, error) {
  return Boolean(error && error.code === ErrorCode.ClinicianNotApproved);
}

export async function clinicianView(ctx) {
  ctx.main.append(pageHead('My patients'),
    h('p', {}, h('a', { class: 'button secondary', href: '/clinician/alerts', 'data-testid': 'open-alerts' }, 'Alert inbox')));
  const requests = h('div', {}, loading('Loading requests…'));
  const patients = h('div', {}, loading('Loading your patients…'));
  const wrap = h('div', {},
    h('section', { class: 'panel', 'aria-labelledby': 'requests-title', 'data-testid': 'care-requests' },
      h('h2', { id: 'requests-title' }, 'Requests to join your care team'), requests),
    h('section', { class: 'panel', 'aria-labelledby': 'patients-title', 'data-testid': 'patients' },
      h('h2', { id: 'patients-title' }, 'Your patients'), patients));
  ctx.main.append(wrap);

  const pendingInstead = () => {
    wrap.replaceChildren(awaitingApproval());
  };

  const loadRequests = async () => {
    requests.replaceChildren(loading('Loading requests…'));
    let list;
    try {
      list = (await ctx.api('/api/clinician/requests')).requests || [];
    } catch (error) {
      if (error.handled) return;
      if (isPending(ctx, error)) return pendingInstead();
      requests.replaceChildren(errorBox(error, loadRequests));
      return;
    }
    const answered = () => {
      loadRequests();
      loadPatients();
    };
    requests.replaceChildren(rows(list, (r) => requestItem(ctx, r, answered),
      { empty: 'No one is waiting for an answer.' }));
  };

  const loadPatients = async () => {
    patients.replaceChildren(loading('Loading your patients…'));
    let list;
    try {
      list = (await ctx.api('/api/clinician/patients')).patients || [];
    } catch (error) {
      if (error.handled) return;
      if (isPending(ctx, error)) return pendingInstead();
      patients.replaceChildren(errorBox(error, loadPatients));
      return;
    }
    patients.replaceChildren(rows(list, patientItem,
      { empty: 'You have no patients yet. When you accept a request, the person appears here.' }));
  };

  await Promise.all([loadRequests(), loadPatients()]);
}

function requestItem(ctx, r, reload) {
  const who = r.patient?.display_name || r.patient?.username || 'Someone';
  const approve = button('Accept', { class: 'button small', 'data-testid': 'approve-request' });
  const decline = button('Decline', { class: 'button small secondary', 'data-testid': 'decline-request' });
  const note = h('p', { class: 'field-error', role: 'alert' });
  const act = (b, action, done) => async () => {
    if (approve.isBusy() || decline.isBusy()) return;
    b.setBusy(true, 'Working…');
    note.textContent = '';
    try {
      await ctx.api(`/api/clinician/requests/${encodeURIComponent(r.id)}/${action}`, { method: 'POST' });
      ctx.notify(done);
      reload();
    } catch (error) {
      b.setBusy(false);
      if (!error.handled) note.textContent = describeError(error);
    }
  };
  approve.addEventListener('click', act(approve, 'approve', `${who} is now in your care team.`));
  decline.addEventListener('click', act(decline, 'decline', `You declined ${who}’s request.`));
  return h(
    'li',
    { 'data-testid': 'care-request', 'data-request-id': r.id },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, personLabel(r.patient)),
      h('span', { class: 'row-meta' }, 'asked ', timeElement(r.requested_at))),
    h('div', { class: 'row-actions' }, approve, decline),
    note,
  );
}

function alertPills(counts) {
  if (!counts) return null;
  return [
    counts.urgent ? h('span', { class: 'pill bad', 'data-testid': 'patient-urgent' }, `⚠ ${counts.urgent} urgent`) : null,
    counts.review ? h('span', { class: 'pill warn', 'data-testid': 'patient-review' }, `${counts.review} to review`) : null,
  ];
}

const MEASURE_NAMES = [['phq9', 'PHQ-9'], ['gad7', 'GAD-7'], ['cssrs', 'C-SSRS']];

// "PHQ-9: moderate · C-SSRS: low", from the latest result of each questionnaire answered.
function latestMeasures(latest) {
  const parts = MEASURE_NAMES.filter(([id]) => latest && latest[id])
    .map(([id, name]) => `${name}: ${latest[id].replace('_', ' ')}`);
  return parts.length ? h('div', { class: 'row-meta', 'data-testid': 'patient-measures' }, parts.join(' · ')) : null;
}

function patientItem(p) {
  const alerts = p.open_alerts;
  const name = p.display_name || p.username;
  const unread = Number(p.unread_messages) || 0;
  const mood = p.latest_mood;
  return h(
    'li',
    { 'data-testid': 'patient', 'data-username': p.username },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, name, h('span', { class: 'muted small' }, ` (${p.username})`)),
      alertPills(alerts),
      unread ? h('span', { class: 'pill info' }, `${unread} unread`) : null),
    h('div', { class: 'row-meta' },
      mood ? `Latest mood: ${mood.score} out of 10, ${formatWhen(mood.recorded_at)}` : 'No check-ins yet',
      p.since ? [' · in your care since ', timeElement(p.since, formatNumericDate)] : null),
    latestMeasures(p.latest_measures),
    h('div', { class: 'row-actions' },
      h('a', { class: 'button small', href: `/clinician/patients/${encodeURIComponent(p.username)}/overview`, 'data-testid': 'patient-page' }, 'Patient page'),
      h('a', { class: 'button small secondary', href: `/clinician/patients/${encodeURIComponent(p.username)}/mood` }, 'Mood over time'),
      h('a', { class: 'button small secondary', href: `/messages/new?to=${encodeURIComponent(p.username)}` }, 'Send a message')),
  );
}

export async function patientMoodView(ctx) {
  const username = ctx.params.username;
  const days = chosenPeriod(ctx.query.get('days'));
  const heading = h('h1', { tabindex: '-1' }, 'Mood over time');
  const period = periodField(days);
  period.control.addEventListener('change', () => {
    ctx.navigate(`/clinician/patients/${encodeURIComponent(username)}/mood?days=${period.control.value}`, { replace: true });
  });
  const chartArea = h('div', {}, loading('Loading check-ins…'));
  const listArea = h('div', {});
  ctx.main.append(
    h('p', {}, h('a', { href: '/clinician' }, '← My patients')),
    h('div', { class: 'page-head' }, heading),
    h('section', { class: 'panel', 'aria-labelledby': 'patient-chart-title' },
      h('h2', { id: 'patient-chart-title' }, 'Daily average'),
      h('div', { class: 'inline-fields' }, period),
      chartArea),
    h('section', { class: 'panel', 'aria-labelledby': 'patient-list-title' },
      h('h2', { id: 'patient-list-title' }, 'Check-ins'), listArea),
  );
  const load = async () => {
    chartArea.replaceChildren(loading('Loading check-ins…'));
    let data;
    try {
      data = await ctx.api(`/api/clinician/patients/${encodeURIComponent(username)}/mood`, { query: { days } });
    } catch (error) {
      if (error.handled) return;
      chartArea.replaceChildren(isPending(ctx, error) ? awaitingApproval() : errorBox(error, load));
      return;
    }
    const name = data.patient?.display_name || username;
    heading.textContent = `${name}: mood over time`;
    ctx.setTitle(`${name}: mood`);
    chartArea.replaceChildren(moodChart({ daily: data.daily, days: data.days || days, who: `${name}’s` }));
    listArea.replaceChildren(entryList(data.entries || [], days));
  };
  await load();
}
