// Healing Space web app: plain ES modules, no build step, no third-party code.
//
// This is the entry point: it wires the router (router.js, screens by path), the session
// (session.js, who is signed in) and the page chrome (chrome.js, header, navigation and
// crisis panel) together, and starts them. Views (views/) get a small frozen context
// (context.js) and build with shared widgets (components/); they import nothing else.
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
//     [data-testid="forgot-link"] [data-testid="locked-out"] (too many attempts; [data-testid="locked-out-forgot"])
//   Mailed links (/forgot-password, /reset-password#token=, /verify-email#token=)
//     #forgot-who [data-testid="forgot-submit"] [data-testid="forgot-no-email"]
//     #reset-password #reset-password-again [data-testid="reset-submit"] [data-testid="reset-done"]
//     [data-testid="reset-signin"] [data-testid="link-problem"] (data-code) [data-testid="ask-new-link"]
//     [data-testid="email-confirmed"] [data-testid="email-problem"] (data-code)
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
//   Contact support (/support; not for administrators, who are support)
//     [data-testid="contact-support"]        the way there, from Messages and New message
//     #support-subject #support-content [data-testid="support-send"]
//   Mood (/mood)
//     [data-testid="mood-chart"] (<svg>, data-points = number of days drawn), #mood-days,
//     [data-testid="mood-entry"]
//   Feedback (/feedback)
//     #feedback-category #feedback-message [data-testid="feedback-submit"]
//     [data-testid="feedback-item"] (data-status), [data-testid="feedback-status"]
//   Settings (/settings)
//     #profile-name #profile-email [data-testid="profile-save"] [data-testid="email-remove"]
//     [data-testid="email-status"] (data-state=none|confirmed|unconfirmed|unmailed)
//     #current-password #new-password #confirm-password [data-testid="change-password"]
//     [data-testid="devices"] [data-testid="device"] (data-current), [data-testid="device-signout"],
//     [data-testid="device-title"] [data-testid="device-rename"] [data-testid="device-name-save"],
//     [data-testid="signout-others"], [data-testid="export-data"], [data-testid="signout"]
//     [data-testid="close-account-panel"] [data-testid="close-consequences"] [data-testid="close-help"]
//     [data-testid="close-crisis"] [data-testid="close-export-link"] [data-testid="close-account"]
//     [data-testid="close-dialog"] #close-password (then the sign-in screen's signin-notice)
//   Clinician (/clinician, /clinician/patients/:username/mood)
//     [data-testid="patient"] [data-testid="care-request"] [data-testid="approve-request"]
//     [data-testid="decline-request"] [data-testid="awaiting-approval"] [data-testid="mood-chart"]
//   Admin (/admin, /admin/feedback, /admin/audit)
//     [data-testid="admin-tab-users|admin-tab-feedback|admin-tab-audit"]
//     [data-testid="page-previous"] [data-testid="page-next"]
//     #admin-search #admin-role [data-testid="admin-user"] (data-username, data-status)
//     [data-testid="approve-user"] [data-testid="disable-user"] [data-testid="enable-user"]
//     [data-testid="end-sessions"] [data-testid="create-reset-link"] [data-testid="reset-link-dialog"]
//     [data-testid="reopen-user"] [data-testid="reopen-dialog"] (accounts with data-status=closed)
//     [data-testid="reset-link"] [data-testid="reset-link-url"] [data-testid="reset-link-copy"]
//     [data-testid="admin-feedback"] (#triage-status-ID,
//     #triage-note-ID, [data-testid="triage-save"]) #admin-feedback-status
//     #audit-user [data-testid="audit-entry"] (data-event)
//   Safety plan (/safety-plan; clinicians: /clinician/patients/:username/safety-plan)
//     [data-testid="safety-plan"] [data-testid="plan-section"] (data-section = API key)
//     [data-testid="plan-entry"] [data-testid="plan-updated"] (data-version) [data-testid="plan-reviewed"]
//     [data-testid="plan-edit|plan-print|plan-show-history|plan-review"] [data-testid="plan-offline"]
//     editor: [data-testid="plan-editor"] [data-testid="plan-edit-section"] (data-section)
//     [data-testid="plan-input"] [data-testid="plan-add|plan-remove|plan-save|plan-cancel"]
//     [data-testid="plan-conflict"] [data-testid="plan-history"] [data-testid="plan-version"]
//     crisis panel: [data-testid="crisis-plan"] [data-testid="crisis-plan-link"]
//     after a risky result: [data-testid="offer-safety-plan"]; alerts: [data-testid="alert-plan-reviewed"]

import { api, onUnauthorized, ApiError, fetchEarly, forgetEarly } from './api.js';
import { h } from './components/dom.js';
import { pageHead } from './components/page.js';
import { errorBox } from './components/status.js';
import { startRouter, render, navigate, currentRoute } from './router.js';
import { onSessionChange, restoreSession, sessionEnded, streamSessionEnded, redirectFor, currentRole, isSignedIn, signedInUser } from './session.js';
import { startChrome, showNav, markNav, refreshUnread, forgetCrisis } from './chrome.js';
import { viewContext } from './context.js';
import { routes } from './routes.js';
import { registerServiceWorker, keepPlanOnlyFor } from './offline.js';
import { startLive, stopLive } from './live.js';
import { watchIdle, stopIdleWatch } from './components/idle-warning.js';

// A sign-in, a sign-out or an ended session: new navigation, then the next screen.
function sessionChanged({ reason, next }) {
  forgetEarly();
  if (reason === 'signed-out') forgetCrisis();
  showNav(currentRole());
  navigate(next, { replace: true });
  if (reason === 'signed-in') {
    refreshUnread(true);
    savePlanForOffline();
    goLive();
  } else {
    stopLive();
    stopIdleWatch();
  }
}

// The stream ends with the session (signed out elsewhere, disabled, timed out): the same
// as a 401, at once rather than at the next request; unsent drafts are kept. A session
// replaced by signing in again in another tab carries on with the new one.
function goLive() {
  startLive(async ({ code, reason }) => {
    if (await streamSessionEnded(new ApiError({ status: 401, code, reason }))) goLive();
  });
  watchIdle();
}

// The device keeps only the signed-in patient's latest safety plan, for the crisis panel
// offline (sw.js saves each GET of it): someone else's is deleted, the patient's fetched.
async function savePlanForOffline() {
  await keepPlanOnlyFor(signedInUser()?.username);
  if (currentRole() === 'patient') api('/api/safety-plan', { auth: false }).catch(() => {});
}

function screenShown(route) {
  markNav(route?.nav || null);
  if (isSignedIn()) refreshUnread();
}

function cannotStart(error) {
  return h(
    'div',
    { class: 'panel' },
    pageHead(error.status === 0 ? 'You are offline' : 'Healing Space could not start'),
    errorBox(error, () => location.reload()),
    error.status === 0
      ? h('p', { 'data-testid': 'offline-help' },
        'Offline, “Need help now?” at the top still works: it shows the crisis lines and, for patients, ',
        'the safety plan saved on this device.')
      : null,
  );
}

async function boot() {
  // The worker comes after the first screen: the plan fetched before it was not kept.
  registerServiceWorker(() => {
    if (isSignedIn()) savePlanForOffline();
  });
  onUnauthorized(sessionEnded);
  onSessionChange(sessionChanged);
  startRouter({
    routes,
    redirect: redirectFor,
    allowed: (route) => !route.roles || route.roles.includes(currentRole()),
    contextFor: viewContext,
    shown: screenShown,
  });
  startChrome();

  // The first screen's data comes while the session is restored: one wait, not two.
  const first = currentRoute();
  // Signed out, it only earns a 401 that nobody reads: the screen sends them to sign in.
  if (first?.data) fetchEarly(first.data);

  // The page's own "Loading Healing Space…" (index.html) stays until the first screen.
  const main = document.getElementById('main');
  try {
    await restoreSession();
  } catch (error) {
    forgetEarly();
    main.replaceChildren(cannotStart(error));
    return;
  }
  if (!isSignedIn()) forgetEarly();
  showNav(currentRole());
  render();
  if (isSignedIn()) {
    savePlanForOffline();
    goLive();
  }
  // A page left behind (or kept in the back-forward cache) closes its stream, so that it
  // holds none of the browser's few connections to the server; one shown again reopens it.
  window.addEventListener('pagehide', stopLive);
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && isSignedIn()) goLive();
  });
}

boot();
