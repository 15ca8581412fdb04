// The page chrome around every screen: the main navigation (by role) with its unread
// badge, the "Need help now?" crisis panel, and short confirmations (the toast).
//
// It is told who is signed in (showNav) and which screen is shown (markNav); it never
// changes the session or the screen itself.

import { api } from './api.js';
import { h } from './components/dom.js';
import { navIcon } from './components/nav-icons.js';
import { recentlyActive } from './components/activity.js';
import { isLive, onLive } from './live.js';
import { crisisContent } from './components/crisis.js';
import { crisisPlan } from './components/crisis-plan.js';
import { rememberCrisis, rememberedCrisis, savedPlan } from './offline.js';

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

const UNREAD_EVERY_MS = 30000;
// Navigation refreshes the badge too; one request per few seconds is plenty.
const UNREAD_AT_MOST_EVERY_MS = 4000;
const TOAST_MS = 5000;

// The nav is shown exactly when someone is signed in: the badge and the crisis panel's
// fetch go by the role it was built for.
let navRole = null;
let currentNav = null;
let unread = 0;
let lastUnreadFetch = 0;
// The server's list; at start the one last seen (kept for opening offline), if any.
let crisis = rememberedCrisis();
let toastTimer = null;

/** Listeners for the header and the badge's refreshes; once, at start. */
export function startChrome() {
  document.getElementById('crisis-button').addEventListener('click', openCrisis);
  document.getElementById('crisis-panel').addEventListener('click', (event) => {
    // A click on the backdrop (outside the inner box) closes the panel.
    if (event.target.id === 'crisis-panel') event.target.close();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && navRole) refreshUnread();
  });
  // Pushed when the event stream is open; otherwise polled, only while the person is
  // active (components/activity.js).
  onLive('unread', () => refreshUnread(true));
  setInterval(() => {
    if (navRole && !isLive() && recentlyActive()) refreshUnread();
  }, UNREAD_EVERY_MS);
}

// ---------------------------------------------------------------------------------------
// Navigation

/** The navigation for `role`, or none (signed out) when role is null. */
export function showNav(role) {
  navRole = role;
  const nav = document.getElementById('nav');
  if (!role) {
    nav.hidden = true;
    nav.replaceChildren();
    return;
  }
  const items = NAV[role] || NAV.patient;
  nav.hidden = false;
  nav.replaceChildren(h('ul', {}, items.map(navItem)));
  setUnread(unread);
  markNav(currentNav);
}

function navItem([key, href, label]) {
  return h('li', {}, h('a', { href, 'data-testid': `nav-${key}`, 'data-nav': key },
    h('span', { class: 'nav-icon' }, navIcon(key)),
    h('span', { class: 'nav-label' }, label)));
}

/** Marks the nav entry of the screen shown (`key` is a route's nav; null for none). */
export function markNav(key) {
  currentNav = key;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.nav === currentNav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------------------------------
// Unread badge, refreshed on navigation and (while the person is active) every 30 s.

export async function refreshUnread(force = false) {
  if (!navRole) return;
  if (!force && Date.now() - lastUnreadFetch < UNREAD_AT_MOST_EVERY_MS) return;
  lastUnreadFetch = Date.now();
  try {
    const body = await api('/api/messages/unread-count');
    setUnread(body.total_unread);
  } catch {
    /* the badge is a convenience; 401s are handled by api() */
  }
}

export function setUnread(count) {
  const n = Number(count) || 0;
  unread = n;
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

// ---------------------------------------------------------------------------------------
// The crisis panel: the built-in resources at once, the server's once known.

/** The server's crisis resources ({message, resources}, from Home), for the panel. */
export function setCrisis(data) {
  if (data && Array.isArray(data.resources)) {
    crisis = data;
    rememberCrisis(data);
  }
}

/** Signing out forgets what the session fetched: the built-in list shows until the next. */
export function forgetCrisis() {
  crisis = null;
}

/** Opens the "Need help now?" panel (the header's button does the same). */
export function openCrisis() {
  const dialog = document.getElementById('crisis-panel');
  const content = document.getElementById('crisis-content');
  const resources = document.createElement('div');
  resources.replaceChildren(...crisisContent(crisis));
  // A patient's own safety plan first (see components/crisis-plan.js), then the resources.
  const plan = crisisPlan({
    role: navRole,
    // Never sends anyone to sign in from here (auth: false): this panel must stay put.
    load: () => api('/api/safety-plan', { auth: false }),
    saved: savedPlan,
    closePanel: () => dialog.close(),
    gotPlan: (data) => {
      setCrisis(data.crisis_resources);
      resources.replaceChildren(...crisisContent(crisis));
    },
  });
  content.replaceChildren(...[plan, resources].filter(Boolean));
  if (!dialog.open) {
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
  }
  document.getElementById('crisis-close').focus();
  if (navRole && navRole !== 'patient' && !crisis) {
    api('/api/home/data', { auth: false })
      .then((data) => {
        setCrisis(data.crisis_resources);
        if (dialog.open && crisis) resources.replaceChildren(...crisisContent(crisis));
      })
      .catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// Toast

/** A short confirmation ("Message sent."), read out politely, gone after a few seconds. */
export function notify(text) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.textContent = '';
  }, TOAST_MS);
}
