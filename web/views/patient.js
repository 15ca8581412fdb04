// One patient, for the clinicians of their care team: open alerts, questionnaire trends
// and schedules, mood, and messages, in one place.

import { h } from '../components/dom.js';
import { loading, errorBox } from '../components/status.js';
import { awaitingApproval } from '../components/approval.js';
import { timeElement } from '../components/format.js';
import { moodChart } from '../components/chart.js';
import { alertList } from '../components/alert-item.js';
import { measureChart, responseList, resultLine } from '../components/measures.js';
import { schedulesPanel } from '../components/schedules.js';
import { homeworkSection } from '../components/homework-panel.js';
import { ErrorCode } from '../error-codes.js';

const DAYS = 180;
const MOOD_DAYS = 30;

export async function patientView(ctx) {
  const username = ctx.params.username;
  const enc = encodeURIComponent(username);
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'patient-name' }, username);
  const areas = {
    alerts: h('div', {}, loading('Loading alerts…')),
    measures: h('div', {}, loading('Loading questionnaires…')),
    mood: h('div', {}, loading('Loading check-ins…')),
    messages: h('div', {}, loading('Loading messages…')),
  };
  const panel = (key, title, ...extra) => h('section', { class: 'panel', 'aria-labelledby': `patient-${key}-title`, 'data-testid': `patient-${key}` },
    h('h2', { id: `patient-${key}-title` }, title), ...extra, areas[key]);
  ctx.main.append(
    h('p', {}, h('a', { href: '/clinician' }, '← My patients')),
    h('div', { class: 'page-head' }, heading),
    h('p', { class: 'actions' },
      h('a', { class: 'button small secondary', href: `/messages/new?to=${enc}`, 'data-testid': 'patient-message' }, 'Send a message'),
      ' ',
      h('a', { class: 'button small secondary', href: `/clinician/patients/${enc}/mood` }, 'Mood in detail'),
      ' ',
      h('a', { class: 'button small', href: `/clinician/patients/${enc}/safety-plan`, 'data-testid': 'patient-safety-plan' }, 'Safety plan')),
    panel('alerts', 'Alerts'),
    panel('measures', 'Questionnaires'),
    homeworkSection(ctx, username),
    panel('mood', `Mood over the last ${MOOD_DAYS} days`),
    panel('messages', 'Messages'),
  );
  const named = (person) => {
    const name = person?.display_name || username;
    heading.textContent = name;
    ctx.setTitle(name);
    return name;
  };
  // A clinician not approved yet sees that instead of the rest.
  const failed = (area, error, retry) => {
    if (error.handled) return;
    area.replaceChildren(error.code === ErrorCode.ClinicianNotApproved ? awaitingApproval() : errorBox(error, retry));
  };

  const loadAlerts = async () => {
    areas.alerts.replaceChildren(loading('Loading alerts…'));
    let open;
    let acknowledged;
    try {
      [open, acknowledged] = await Promise.all(['open', 'acknowledged'].map((status) =>
        ctx.api('/api/clinician/alerts', { query: { patient: username, status, limit: 100 } })));
    } catch (error) {
      failed(areas.alerts, error, loadAlerts);
      return;
    }
    const alerts = [...(open.alerts || []), ...(acknowledged.alerts || [])];
    areas.alerts.replaceChildren(
      alertList(ctx, alerts, 'No open alerts for this patient.', loadAlerts, false),
      h('p', { class: 'small' }, h('a', { href: '/clinician/alerts' }, 'All alerts')),
    );
  };

  const loadMeasures = async () => {
    areas.measures.replaceChildren(loading('Loading questionnaires…'));
    let data;
    try {
      data = await ctx.api(`/api/clinician/patients/${enc}/measures`, { query: { days: DAYS } });
    } catch (error) {
      failed(areas.measures, error, loadMeasures);
      return;
    }
    const name = named(data.patient);
    areas.measures.replaceChildren(
      ...(data.instruments || []).map((trend) => instrumentTrend(trend, data.days || DAYS, name)),
      h('h3', {}, 'Schedules'),
      schedulesPanel(data.schedules || [], { api: ctx.api, notify: ctx.notify, username, reload: loadMeasures }),
    );
  };

  const loadMood = async () => {
    let data;
    try {
      data = await ctx.api(`/api/clinician/patients/${enc}/mood`, { query: { days: MOOD_DAYS } });
    } catch (error) {
      failed(areas.mood, error, loadMood);
      return;
    }
    const name = named(data.patient);
    areas.mood.replaceChildren(moodChart({ daily: data.daily, days: data.days || MOOD_DAYS, who: `${name}’s` }));
  };

  const loadMessages = async () => {
    let data;
    try {
      data = await ctx.api('/api/messages/inbox', { query: { limit: 50 } });
    } catch (error) {
      failed(areas.messages, error, loadMessages);
      return;
    }
    const mine = (data.conversations || []).filter((c) => c.other?.username === username);
    areas.messages.replaceChildren(mine.length
      ? h('ul', { class: 'rows' }, mine.map((c) => h('li', { 'data-testid': 'patient-conversation' },
        h('div', { class: 'row-main' },
          h('a', { class: 'row-title', href: `/messages/${encodeURIComponent(c.id)}` }, c.subject || 'Conversation'),
          c.unread_count ? h('span', { class: 'pill info' }, `${c.unread_count} unread`) : null),
        h('div', { class: 'row-meta' }, c.last_message
          ? [c.last_message.from_me ? 'You: ' : '', c.last_message.preview || '', ' · ', timeElement(c.last_message.sent_at)]
          : 'No messages yet'))))
      : h('p', { class: 'empty' }, 'No recent conversations with this patient.'));
  };

  await Promise.all([loadAlerts(), loadMeasures(), loadMood(), loadMessages()]);
}

function instrumentTrend(trend, days, name) {
  const responses = trend.responses || [];
  const latest = responses[0];
  const change = trend.change;
  const reliable = trend.reliable_change;
  return h(
    'div',
    { class: 'instrument-trend', 'data-testid': 'patient-instrument', 'data-instrument': trend.instrument },
    h('h3', {}, trend.name),
    h('p', { 'data-testid': 'patient-instrument-latest' }, latest
      ? ['Latest: ', h('strong', {}, resultLine(latest)), ', ', timeElement(latest.submitted_at)]
      : `No answers in the last ${days} days.`),
    change !== null && change !== undefined
      ? h('p', { 'data-testid': 'patient-instrument-change' },
        `Change since the first answer in this period: ${change > 0 ? '+' : ''}${change}`,
        reliable ? h('span', { class: `pill ${reliable === 'deteriorated' ? 'bad' : 'good'}` },
          reliable === 'deteriorated' ? 'Reliable deterioration' : 'Reliable improvement') : null)
      : null,
    responses.length ? measureChart(trend.instrument, responses, days, `${name}’s`) : null,
    responses.length
      ? h('details', {}, h('summary', {}, responses.length === 1 ? 'The answer, item by item' : `All ${responses.length} answers, item by item`),
        responseList(responses, { withAnswers: true }))
      : null,
  );
}
