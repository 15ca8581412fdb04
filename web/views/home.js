// Home: greeting, alerts (clinicians), unread messages, today's check-in, questionnaires
// due, care team, crisis resources.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError } from '../components/form.js';
import { timeElement, formatWhen, formatNumericDate, plural } from '../components/format.js';
import { loading, errorBox } from '../components/status.js';
import { awaitingApproval } from '../components/approval.js';
import { crisisContent } from '../components/crisis.js';
import { moodForm } from '../components/moodform.js';
import { dueCard, alertsCard } from '../components/home-cards.js';
import { homeworkCard } from '../components/homework-card.js';

function greetingWord() {
  const hour = new Date().getHours();
  if (hour < 5) return 'Hello';
  if (hour < 12) return 'Good morning';
  if (hour < 18) return 'Good afternoon';
  return 'Good evening';
}

export async function homeView(ctx) {
  const user = ctx.user;
  const name = user.display_name || user.username;
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'greeting' }, `${greetingWord()}, ${name}`);
  // One line kept for it from the start, so the cards do not move down when it comes.
  const lastSignIn = h('p', { class: 'lede' }, '\u00a0');
  const body = h('div', {}, loading('Loading your home page…'));
  ctx.main.append(h('div', { class: 'page-head' }, heading), lastSignIn, body);

  const load = async () => {
    body.replaceChildren(loading('Loading your home page…'));
    let data;
    try {
      data = await ctx.api('/api/home/data');
      // Fetched on a page load while the session was restored: should another tab have
      // signed someone else in meanwhile, this answer is theirs, not the person's now.
      if (data.user?.username && data.user.username !== ctx.user.username) {
        data = await ctx.api('/api/home/data');
      }
    } catch (error) {
      if (error.handled) return;
      body.replaceChildren(errorBox(error, load));
      return;
    }
    ctx.chrome.setCrisis(data.crisis_resources);
    ctx.session.updateUser(data.user);
    if (typeof data.unread_messages === 'number') ctx.chrome.setUnread(data.unread_messages);
    lastSignIn.replaceChildren();
    if (data.last_sign_in_at) {
      lastSignIn.append('Your previous sign-in: ', timeElement(data.last_sign_in_at), '.');
    } else {
      lastSignIn.append('Welcome to Healing Space.');
    }
    body.replaceChildren(renderHome(ctx, data, load));
  };
  await load();
}

function renderHome(ctx, data, reload) {
  const role = ctx.user.role;
  const status = data.user?.status || ctx.user.status;
  const cards = [];

  if (role === 'clinician' && status === 'pending') {
    cards.push(awaitingApproval());
  }
  // Urgent alerts before anything else.
  if (role === 'clinician' && status !== 'pending' && data.clinician) {
    cards.push(alertsCard(data.clinician));
  }
  cards.push(messagesCard(data));
  if (role === 'patient') {
    cards.push(checkInCard(ctx, data));
    cards.push(dueCard(data));
    cards.push(homeworkCard(ctx));
    cards.push(careTeamCard(ctx, data, reload));
  }
  if (role === 'clinician' && status !== 'pending' && data.clinician) {
    cards.push(clinicianCard(data.clinician));
  }
  if (role === 'admin') cards.push(adminCard());
  cards.push(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'home-crisis-title', 'data-testid': 'home-crisis' },
      h('h2', { id: 'home-crisis-title' }, 'If you need help now'),
      role === 'patient'
        ? h('p', {}, h('a', { class: 'button', href: '/safety-plan', 'data-testid': 'home-safety-plan' }, 'My safety plan'))
        : null,
      crisisContent(data.crisis_resources),
    ),
  );
  return h('div', { class: 'grid two' }, cards);
}

function messagesCard(data) {
  const n = Number(data.unread_messages) || 0;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-messages-title' },
    h('h2', { id: 'home-messages-title' }, 'Messages'),
    h(
      'p',
      { 'data-testid': 'home-unread' },
      n ? `You have ${plural(n, 'unread message')}.` : 'You have no unread messages.',
    ),
    h('p', {}, h('a', { class: 'button secondary', href: '/messages' }, n ? 'Read your messages' : 'Open messages')),
  );
}

function checkInCard(ctx, data) {
  const mood = data.mood || {};
  const status = h('div', {});
  const showStatus = (latest, checkedInToday, streak) => {
    status.replaceChildren();
    if (checkedInToday && latest) {
      status.append(
        h('p', { 'data-testid': 'checked-in-today' },
          `You checked in today: ${latest.score} out of 10 at ${formatWhen(latest.recorded_at)}. `,
          'You can check in again whenever you like.'),
      );
    } else {
      status.append(h('p', { class: 'muted' }, 'A quick check-in helps you and your care team see how things are going.'));
    }
    if (streak > 1) {
      status.append(h('p', { 'data-testid': 'streak' }, `You have checked in ${streak} days in a row.`));
    }
  };
  let streak = Number(mood.streak_days) || 0;
  showStatus(mood.latest, mood.checked_in_today, streak);
  const form = moodForm({
    api: ctx.api,
    onSaved: (entry) => {
      if (!entry) return;
      if (!mood.checked_in_today) streak += 1;
      mood.checked_in_today = true;
      showStatus(entry, true, streak);
    },
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-checkin-title', 'data-testid': 'home-checkin' },
    h('h2', { id: 'home-checkin-title' }, 'Today’s check-in'),
    status,
    form,
    h('p', { class: 'small' }, h('a', { href: '/mood' }, 'See your mood over time')),
  );
}

function careTeamCard(ctx, data, reload) {
  const team = data.care_team || [];
  const pending = data.pending_care_team_requests || [];
  const section = h('section', { class: 'panel', 'aria-labelledby': 'home-team-title', 'data-testid': 'care-team' },
    h('h2', { id: 'home-team-title' }, 'Your care team'));
  if (!team.length && !pending.length) {
    section.append(h('p', { class: 'muted' }, 'No clinician is in your care team yet. ',
      'When a clinician accepts your request, you can message them here.'));
  }
  if (team.length) {
    section.append(
      h('ul', { class: 'rows' }, team.map((c) => h(
        'li',
        { 'data-testid': 'care-team-member' },
        h('div', { class: 'row-main' },
          h('span', { class: 'row-title' }, c.display_name || c.username),
          c.since ? h('span', { class: 'row-meta' }, 'since ', timeElement(c.since, formatNumericDate)) : null),
        h('div', { class: 'row-actions' },
          h('a', { class: 'button small secondary', href: `/messages/new?to=${encodeURIComponent(c.username)}` }, 'Send a message'),
          removeButton(ctx, c, 'Leave this care team', `Stop sharing your check-ins and messages with ${c.display_name || c.username}?`, reload)),
      ))),
    );
  }
  if (pending.length) {
    section.append(
      h('h3', {}, 'Waiting for a reply'),
      h('ul', { class: 'rows' }, pending.map((r) => h(
        'li',
        { 'data-testid': 'care-team-pending' },
        h('div', { class: 'row-main' },
          h('span', {}, `${r.clinician?.display_name || r.clinician?.username} has not answered yet.`),
          h('span', { class: 'row-meta' }, 'asked ', timeElement(r.requested_at))),
        h('div', { class: 'row-actions' },
          removeButton(ctx, r.clinician || {}, 'Cancel request', null, reload)),
      ))),
    );
  }
  section.append(askToJoin(ctx, reload));
  return section;
}

function removeButton(ctx, clinician, label, question, reload) {
  const b = button(label, { class: 'link-button small' });
  b.addEventListener('click', async () => {
    if (b.isBusy()) return;
    // eslint-disable-next-line no-alert
    if (question && !window.confirm(question)) return;
    b.setBusy(true, 'Working…');
    try {
      await ctx.api(`/api/care-team/${encodeURIComponent(clinician.username)}`, { method: 'DELETE' });
      ctx.notify('Done.');
      reload();
    } catch (error) {
      if (!error.handled) {
        b.setBusy(false);
        b.after(errorBox(error));
      }
    }
  });
  return b;
}

function askToJoin(ctx, reload) {
  const details = h('details', { class: 'ask-to-join' }, h('summary', {}, 'Ask a clinician to join your care team'));
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const area = h('div', {}, loading('Loading clinicians…'));
    details.append(area);
    let list;
    try {
      list = (await ctx.api('/api/clinicians')).clinicians || [];
    } catch (error) {
      loaded = false;
      if (!error.handled) area.replaceChildren(errorBox(error));
      return;
    }
    if (!list.length) {
      area.replaceChildren(h('p', { class: 'muted' }, 'There are no clinicians to choose from yet.'));
      return;
    }
    const alert = formAlert();
    const choose = field({
      id: 'join-clinician',
      label: 'Clinician',
      options: [['', 'Choose a clinician'], ...list.map((c) => [c.username, `${c.display_name} (${c.username})`])],
    });
    const submit = button('Send request', { type: 'submit', 'data-testid': 'join-submit' });
    const form = h('form', { novalidate: true }, alert, choose, submit);
    onSubmit(form, submit, 'Sending…', async () => {
      alert.clear();
      if (!choose.control.value) {
        alert.show('error', 'Choose a clinician first.');
        choose.control.focus();
        return;
      }
      try {
        await ctx.api('/api/care-team/requests', { method: 'POST', body: { clinician: choose.control.value } });
        ctx.notify('Request sent. The clinician will see it next time they sign in.');
        reload();
      } catch (error) {
        showFormError(error, alert, { clinician: choose });
      }
    });
    area.replaceChildren(form);
  });
  return details;
}

function clinicianCard(info) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-clinician-title' },
    h('h2', { id: 'home-clinician-title' }, 'Your patients'),
    h('p', {}, `You look after ${plural(Number(info.patient_count) || 0, 'patient')}.`),
    Number(info.pending_requests)
      ? h('p', { 'data-testid': 'home-pending-requests' },
        `${plural(Number(info.pending_requests), 'person is', 'people are')} waiting for you to answer their request.`)
      : h('p', { class: 'muted' }, 'No one is waiting for an answer.'),
    h('p', {}, h('a', { class: 'button secondary', href: '/clinician' }, 'Go to my patients')),
  );
}

function adminCard() {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'home-admin-title' },
    h('h2', { id: 'home-admin-title' }, 'Administration'),
    h('ul', {},
      h('li', {}, h('a', { href: '/admin' }, 'People and clinician approvals')),
      h('li', {}, h('a', { href: '/admin/feedback' }, 'Feedback')),
      h('li', {}, h('a', { href: '/admin/audit' }, 'Audit log'))),
  );
}
