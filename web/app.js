// Healing Space web app: plain ES modules, no build step, no third-party code.
//
// Test hooks (stable; tests and tools may rely on them):
//
//   Everywhere
//     #main                                  the main region (focus moves to its <h1> on navigation)
//     [data-testid="crisis-button"]          "Need help now?" in the header, on every screen
//     [data-testid="crisis-panel"]           the <dialog> it opens (#crisis-panel), close: #crisis-close
//     [data-testid="nav-home|nav-messages|nav-mood|nav-feedback|nav-settings|nav-clinician|nav-admin"]
//                                            main navigation links (shown by role)
//     [data-testid="unread-badge"]           unread-message count inside nav-messages (absent when 0)
//     [data-testid="loading"]                a loading indicator
//     [data-testid="error"]                  a failed request: what went wrong, with "Try again"
//     [data-testid="form-error"]             a form's message area (role=alert; data-kind=error|success|info)
//     [data-testid="toast"]                  short confirmations ("Message sent")
//   Sign in (/signin) and register (/register)
//     #username #password [data-testid="signin-submit"] (#signin-submit)
//     [data-testid="signin-notice"]          why you need to sign in (401 reasons, signed out, ...)
//     #reg-username #reg-display-name #reg-email #reg-password #reg-role-patient #reg-role-clinician
//     #reg-clinician [data-testid="register-submit"] [data-testid="register-link"] [data-testid="signin-link"]
//   Home (/)
//     [data-testid="greeting"] [data-testid="home-unread"] [data-testid="streak"] (2+ days)
//     [data-testid="home-checkin"] [data-testid="care-team"] [data-testid="home-crisis"]
//     [data-testid="awaiting-approval"] (pending clinicians; also on /clinician)
//     mood check-in: radios #mood-score-1 … #mood-score-10 (name "score"), #mood-note,
//     #mood-sleep (mood page only), [data-testid="mood-submit"], [data-testid="checked-in-today"]
//   Messages (/messages, /messages/new, /messages/:id)
//     [data-testid="new-message"]            link to the new-message form (?to=username preselects)
//     [data-testid="inbox"] [data-testid="inbox-empty"] [data-testid="show-archived"]
//     [data-testid="conversation-item"]      inbox entries (links; data-conversation-id, data-unread)
//     [data-testid="conversation-unread"]    an entry's unread count
//     #recipient #subject #message-content [data-testid="send-message"]
//     [data-testid="back-to-inbox"] [data-testid="thread"]
//     [data-testid="message"]                messages in a conversation, oldest first
//                                            (data-from-me="true|false", data-message-id)
//     [data-testid="load-earlier"]           "Load earlier messages"
//     #reply [data-testid="reply-input"] [data-testid="reply-send"]
//     [data-testid="archive-conversation"]
//   Mood (/mood)
//     [data-testid="mood-chart"] (<svg>, data-points = number of days drawn), #mood-days,
//     [data-testid="mood-entry"]
//   Feedback (/feedback)
//     #feedback-category #feedback-message [data-testid="feedback-submit"]
//     [data-testid="feedback-item"] (data-status), [data-testid="feedback-status"]
//   Settings (/settings)
//     #current-password #new-password #confirm-password [data-testid="change-password"]
//     [data-testid="devices"] [data-testid="device"] (data-current), [data-testid="device-signout"],
//     [data-testid="signout-others"], [data-testid="export-data"], [data-testid="signout"]
//   Clinician (/clinician, /clinician/patients/:username)
//     [data-testid="patient"] [data-testid="care-request"] [data-testid="approve-request"]
//     [data-testid="decline-request"] [data-testid="awaiting-approval"] [data-testid="mood-chart"]
//   Admin (/admin, /admin/feedback, /admin/audit)
//     [data-testid="admin-tab-users|admin-tab-feedback|admin-tab-audit"]
//     [data-testid="page-previous"] [data-testid="page-next"]
//     #admin-search #admin-role [data-testid="admin-user"] (data-username, data-status)
//     [data-testid="approve-user"] [data-testid="disable-user"] [data-testid="enable-user"]
//     [data-testid="end-sessions"] [data-testid="admin-feedback"] (#triage-status-ID,
//     #triage-note-ID, [data-testid="triage-save"]) #admin-feedback-status
//     #audit-user [data-testid="audit-entry"] (data-event)

import { api, onUnauthorized, newEpoch, setCsrfToken, clearCsrfToken } from './api.js';
import { h, loading, errorBox, pageHead, recentlyActive } from './ui.js';
import { signinView, registerView } from './views/auth.js';
import { homeView } from './views/home.js';
import { inboxView, composeView, conversationView } from './views/messages.js';
import { moodView } from './views/mood.js';
import { feedbackView } from './views/feedback.js';
import { settingsView } from './views/settings.js';
import { clinicianView, patientMoodView } from './views/clinician.js';
import { adminUsersView, adminFeedbackView, adminAuditView } from './views/admin.js';

const RETURN_KEY = 'hs.return';

const DEFAULT_CRISIS = {
  message: 'If you are in danger or might harm yourself, call your local emergency number now.',
  resources: [
    { name: 'Emergency services (UK)', contact: '999', description: 'If your life or someone else’s is at risk.' },
    { name: 'NHS 111', contact: '111', description: 'Urgent mental health help, day or night (choose the mental health option).' },
    { name: 'Samaritans', contact: '116 123', description: 'Free, any time, to talk about anything that is troubling you.' },
  ],
};

const routes = [
  { path: '/signin', view: signinView, public: true, title: 'Sign in' },
  { path: '/register', view: registerView, public: true, title: 'Create an account' },
  { path: '/', view: homeView, nav: 'home', title: 'Home' },
  { path: '/messages', view: inboxView, nav: 'messages', title: 'Messages' },
  { path: '/messages/new', view: composeView, nav: 'messages', title: 'New message' },
  { path: '/messages/:id', view: conversationView, nav: 'messages', title: 'Conversation' },
  { path: '/mood', view: moodView, nav: 'mood', roles: ['patient'], title: 'Mood' },
  { path: '/feedback', view: feedbackView, nav: 'feedback', title: 'Feedback' },
  { path: '/settings', view: settingsView, nav: 'settings', title: 'Settings' },
  { path: '/clinician', view: clinicianView, nav: 'clinician', roles: ['clinician'], title: 'My patients' },
  {
    path: '/clinician/patients/:username',
    view: patientMoodView,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient mood',
  },
  { path: '/admin', view: adminUsersView, nav: 'admin', roles: ['admin'], title: 'Admin: people' },
  { path: '/admin/feedback', view: adminFeedbackView, nav: 'admin', roles: ['admin'], title: 'Admin: feedback' },
  { path: '/admin/audit', view: adminAuditView, nav: 'admin', roles: ['admin'], title: 'Admin: audit log' },
];

const NAV = {
  patient: [
    ['home', '/', 'Home'],
    ['messages', '/messages', 'Messages'],
    ['mood', '/mood', 'Mood'],
    ['feedback', '/feedback', 'Feedback'],
    ['settings', '/settings', 'Settings'],
  ],
  clinician: [
    ['home', '/', 'Home'],
    ['messages', '/messages', 'Messages'],
    ['clinician', '/clinician', 'My patients'],
    ['feedback', '/feedback', 'Feedback'],
    ['settings', '/settings', 'Settings'],
  ],
  admin: [
    ['home', '/', 'Home'],
    ['messages', '/messages', 'Messages'],
    ['admin', '/admin', 'Admin'],
    ['feedback', '/feedback', 'Feedback'],
    ['settings', '/settings', 'Settings'],
  ],
};

const ICONS = {
  home: 'home',
  messages: 'messages',
  mood: 'mood',
  feedback: 'feedback',
  settings: 'settings',
  clinician: 'patients',
  admin: 'admin',
};

// ---------------------------------------------------------------------------------------
// Session state

const app = {
  session: null, // {user, role, idleTimeoutSeconds}
  notice: null, // text for [data-testid="signin-notice"]
  unread: 0,
  crisis: null,
  drafts: new Map(),
  draftsOwner: null,
  idleTimeoutSeconds: null,
};

function adoptSession(body) {
  const user = body.user || {};
  app.session = { user, role: body.role || user.role };
  if (body.session?.idle_timeout_seconds) {
    app.idleTimeoutSeconds = body.session.idle_timeout_seconds;
  }
  setCsrfToken(body.csrf_token);
  // Unsent drafts survive a sign-in again by the same person, never a different one.
  if (app.draftsOwner !== user.username) app.drafts.clear();
  app.draftsOwner = user.username;
}

function noticeFor(error) {
  const code = error.code;
  const reason = error.reason;
  switch (code) {
    case 'not_authenticated':
      return 'Please sign in to continue.';
    case 'session_unknown':
      return 'Please sign in again.';
    case 'session_expired':
      if (reason === 'idle' || reason === 'idle_timeout') {
        const seconds = app.idleTimeoutSeconds;
        if (seconds && seconds % 60 === 0) {
          const minutes = seconds / 60;
          return `You were signed out after ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} without activity.`;
        }
        return error.message || 'You were signed out after a while without activity.';
      }
      if (reason === 'absolute' || reason === 'absolute_lifetime') {
        return 'Your session reached its maximum length. Please sign in again.';
      }
      return error.message || 'Your session ended. Please sign in again.';
    case 'session_revoked':
      switch (reason) {
        case 'signed_out_elsewhere':
          return 'You signed out on another device.';
        case 'password_changed':
          return 'Your password was changed. Please sign in with your new password.';
        case 'admin':
          return 'An administrator signed you out.';
        case 'signed_out':
          return 'You signed out.';
        case 'signed_in_again':
          return 'You signed in again elsewhere in this browser.';
        default:
          return error.message || 'You were signed out. Please sign in again.';
      }
    case 'account_disabled':
      return 'Your account was disabled. Please contact your care team.';
    default:
      return error.message || 'Please sign in to continue.';
  }
}

function rememberReturn(path, username) {
  if (!path || path === '/signin' || path === '/register') return;
  try {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ path, user: username || null }));
  } catch {
    /* storage may be unavailable; returning home is fine */
  }
}

function takeReturn() {
  try {
    const value = JSON.parse(sessionStorage.getItem(RETURN_KEY) || 'null');
    sessionStorage.removeItem(RETURN_KEY);
    return value;
  } catch {
    return null;
  }
}

function currentPath() {
  return location.pathname + location.search;
}

// Every 401 (except from the sign-in form itself) ends up here, once per sign-in.
function handleUnauthorized(error) {
  const username = app.session?.user?.username;
  app.session = null;
  newEpoch();
  app.notice = noticeFor(error);
  rememberReturn(currentPath(), username);
  updateChrome();
  navigate('/signin', { replace: true });
}

/** After a successful sign-in or registration: back to where the person was. */
async function signedIn(body) {
  newEpoch();
  adoptSession(body);
  app.notice = null;
  // /auth/me carries the session's idle timeout, for the right wording later.
  try {
    const me = await api('/api/auth/me');
    adoptSession(me);
  } catch {
    /* not needed to continue */
  }
  const back = takeReturn();
  const target = back && (!back.user || back.user === app.session?.user?.username) ? back.path : '/';
  updateChrome();
  navigate(target, { replace: true });
  refreshUnread(true);
}

async function signOut() {
  try {
    await api('/api/auth/logout', { method: 'POST', auth: false });
  } catch (error) {
    if (error.status !== 401) throw error;
  }
  newEpoch();
  app.session = null;
  app.drafts.clear();
  app.crisis = null;
  clearCsrfToken();
  try {
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    /* ignore */
  }
  app.notice = 'You signed out.';
  updateChrome();
  navigate('/signin', { replace: true });
}

// ---------------------------------------------------------------------------------------
// Unread badge, refreshed on navigation and (while the person is active) every 30 s.

let lastUnreadFetch = 0;

async function refreshUnread(force = false) {
  if (!app.session) return;
  if (!force && Date.now() - lastUnreadFetch < 4000) return;
  lastUnreadFetch = Date.now();
  try {
    const body = await api('/api/messages/unread-count');
    setUnread(body.total_unread);
  } catch {
    /* the badge is a convenience; 401s are handled by api() */
  }
}

function setUnread(count) {
  const n = Number(count) || 0;
  app.unread = n;
  const link = document.querySelector('[data-testid="nav-messages"]');
  if (!link) return;
  link.querySelector('[data-testid="unread-badge"]')?.remove();
  link.querySelector('.visually-hidden')?.remove();
  if (n > 0) {
    link.append(
      h('span', { class: 'badge', 'data-testid': 'unread-badge', 'aria-hidden': 'true' }, String(n)),
      h('span', { class: 'visually-hidden' }, `, ${n} unread`),
    );
  }
}

// Background refreshes count as activity on the server, so they stop soon after the
// person does: at most a quarter of the idle timeout (and never more than 5 minutes).
function activeWindowMs() {
  const idle = (app.idleTimeoutSeconds || 1800) * 1000;
  return Math.min(5 * 60 * 1000, idle / 4);
}

setInterval(() => {
  if (app.session && recentlyActive(activeWindowMs())) refreshUnread();
}, 30000);

// ---------------------------------------------------------------------------------------
// Header: navigation and the crisis panel

function updateChrome() {
  const nav = document.getElementById('nav');
  if (!app.session) {
    nav.hidden = true;
    nav.replaceChildren();
    return;
  }
  const items = NAV[app.session.role] || NAV.patient;
  nav.hidden = false;
  nav.replaceChildren(
    h(
      'ul',
      {},
      items.map(([key, href, label]) =>
        h('li', {}, h('a', { href, 'data-testid': `nav-${key}`, 'data-nav': key },
          h('span', { class: 'nav-icon' }, h('img', { src: `/icons/${ICONS[key]}.svg`, alt: '', width: 22, height: 22 })),
          h('span', { class: 'nav-label' }, label))),
      ),
    ),
  );
  setUnread(app.unread);
  markNav();
}

let currentNav = null;
function markNav() {
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.nav === currentNav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function setCrisis(crisis) {
  if (crisis && Array.isArray(crisis.resources)) app.crisis = crisis;
}

function telHref(contact) {
  const digits = String(contact || '').replace(/[^\d+]/g, '');
  return digits.length >= 3 && /^[+\d][\d\s()-]*$/.test(String(contact).trim()) ? `tel:${digits}` : null;
}

export function crisisContent(crisis) {
  const data = crisis && crisis.resources?.length ? crisis : DEFAULT_CRISIS;
  return [
    h('p', { class: 'crisis-message' }, data.message || DEFAULT_CRISIS.message),
    h(
      'ul',
      { class: 'crisis-list' },
      data.resources.map((r) => {
        const href = telHref(r.contact);
        return h(
          'li',
          {},
          h('div', { class: 'row-title' }, r.name),
          h(
            'div',
            { class: 'crisis-contact' },
            href ? h('a', { href }, r.contact) : r.contact,
          ),
          r.description ? h('div', { class: 'muted small' }, r.description) : null,
        );
      }),
    ),
  ];
}

function openCrisis() {
  const dialog = document.getElementById('crisis-panel');
  const content = document.getElementById('crisis-content');
  content.replaceChildren(...crisisContent(app.crisis));
  if (!dialog.open) {
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
  }
  document.getElementById('crisis-close').focus();
  if (app.session && !app.crisis) {
    // Never sends anyone to sign in from here (auth: false): this panel must stay put.
    api('/api/home/data', { auth: false })
      .then((data) => {
        setCrisis(data.crisis_resources);
        if (dialog.open && app.crisis) content.replaceChildren(...crisisContent(app.crisis));
      })
      .catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// Routing

function match(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i += 1) {
      if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pattern[i] !== parts[i]) ok = false;
    }
    if (ok) return { route, params };
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== currentPath()) history.pushState(null, '', path);
  render();
}

let renderCount = 0;

function render() {
  renderCount += 1;
  const token = renderCount;
  const main = document.getElementById('main');
  const found = match(location.pathname);
  const route = found?.route;

  if (route && !route.public && !app.session) {
    if (!app.notice) app.notice = 'Please sign in to continue.';
    rememberReturn(currentPath(), null);
    history.replaceState(null, '', '/signin');
    render();
    return;
  }
  if (route && route.public && app.session) {
    history.replaceState(null, '', '/');
    render();
    return;
  }

  currentNav = route?.nav || null;
  markNav();
  main.replaceChildren();
  document.title = `${route?.title || 'Page not found'} – Healing Space`;

  const ctx = {
    main,
    params: found?.params || {},
    query: new URLSearchParams(location.search),
    get session() {
      return app.session;
    },
    app,
    navigate,
    isCurrent: () => token === renderCount,
    refreshUnread,
    setUnread,
    setCrisis,
    crisisContent,
    signedIn,
    signOut,
    adoptSession,
    setTitle: (title) => {
      document.title = `${title} – Healing Space`;
    },
  };

  if (!route) {
    main.append(notFound());
  } else if (route.roles && !route.roles.includes(app.session.role)) {
    main.append(notForYou());
  } else {
    try {
      const result = route.view(ctx);
      if (result && typeof result.catch === 'function') {
        result.catch((error) => showFailure(ctx, error));
      }
    } catch (error) {
      showFailure(ctx, error);
    }
  }

  // Move focus to the new page's heading, unless the view placed it (sign-in does).
  const active = document.activeElement;
  if (!main.contains(active) || active === main) {
    const heading = main.querySelector('h1');
    if (heading) heading.focus();
  }
  window.scrollTo(0, 0);
  if (app.session) refreshUnread();
}

function showFailure(ctx, error) {
  if (error && error.handled) return;
  if (!ctx.isCurrent()) return;
  console.error(error);
  ctx.main.append(errorBox(error, () => render()));
}

function notFound() {
  return h(
    'div',
    { class: 'panel' },
    pageHead('We could not find that page'),
    h('p', {}, 'The address may be mistyped, or the page may have moved.'),
    h('p', {}, h('a', { href: '/', class: 'button' }, 'Go to your home page')),
  );
}

function notForYou() {
  return h(
    'div',
    { class: 'panel' },
    pageHead('This page is not part of your account'),
    h('p', {}, 'It is for people with a different role. Everything you need is in the menu above.'),
    h('p', {}, h('a', { href: '/', class: 'button' }, 'Go to your home page')),
  );
}

function interceptLinks(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const href = link.getAttribute('href');
  if (!href || href.startsWith('#') || href.startsWith('tel:') || href.startsWith('mailto:')) return;
  if (link.origin !== location.origin || link.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
}

// ---------------------------------------------------------------------------------------
// Start

async function boot() {
  onUnauthorized(handleUnauthorized);
  document.addEventListener('click', interceptLinks);
  window.addEventListener('popstate', () => render());
  document.getElementById('crisis-button').addEventListener('click', openCrisis);
  document.getElementById('crisis-panel').addEventListener('click', (event) => {
    // A click on the backdrop (outside the inner box) closes the panel.
    if (event.target.id === 'crisis-panel') event.target.close();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && app.session) refreshUnread();
  });

  const main = document.getElementById('main');
  main.replaceChildren(loading('Loading Healing Space…'));
  try {
    const status = await api('/api/auth/status', { auth: false });
    if (status && status.authenticated) {
      adoptSession(status);
      newEpoch();
    } else if (status && status.reason && status.reason !== 'not_authenticated') {
      app.notice = noticeFor({ code: status.reason, reason: status.detail, message: status.message });
    }
  } catch (error) {
    main.replaceChildren(
      h(
        'div',
        { class: 'panel' },
        pageHead('Healing Space could not start'),
        errorBox(error, () => location.reload()),
      ),
    );
    return;
  }
  updateChrome();
  render();
}

boot();
