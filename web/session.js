// The session: who is signed in, the CSRF token, signing in and out, and what happens on a
// 401 (say why on the sign-in screen, then return to the screen the person was on).
//
// Nothing here touches the page chrome or the router's screens: every change is announced
// to one listener (app.js), with the path to show next.

import { api, newEpoch, setCsrfToken, clearCsrfToken } from './api.js';
import { ErrorCode } from './error-codes.js';
import { useIdleTimeout } from './components/activity.js';
import { currentPath } from './router.js';
import { forgetPlan } from './offline.js';
import { pauseLive } from './live.js';

const RETURN_KEY = 'hs.return';
// How long a page whose session was replaced in another tab waits for the new cookie.
const REPLACED_TRIES = 5;
const REPLACED_WAIT_MS = 400;

/** Why a closed account was signed out (the sign-in form says the same, views/auth.js). */
const CLOSED_NOTICE = 'This account was closed, so it is signed out everywhere. '
  + 'For a while after closing, an administrator can reopen it: ask your care team.';

const state = {
  current: null, // {user, role}
  notice: null, // text for [data-testid="signin-notice"]
  idleTimeoutSeconds: null,
  drafts: new Map(),
  draftsOwner: null,
};

let announce = () => {};

/**
 * `listener({reason, next})` runs after every change: reason is 'signed-in', 'signed-out'
 * (the person chose to) or 'ended' (a 401); next is the path to show.
 */
export function onSessionChange(listener) {
  announce = listener;
}

/** At start: is this browser still signed in (cookie), and if not, was there a reason? */
export async function restoreSession() {
  const status = await api('/api/auth/status', { auth: false });
  if (status && status.authenticated) {
    adoptSession(status);
    newEpoch();
  } else {
    // Nobody is signed in here: no safety plan stays on the device.
    await forgetPlan();
    if (status && status.reason && status.reason !== ErrorCode.NotAuthenticated) {
      state.notice = noticeFor({ code: status.reason, reason: status.detail, message: status.message });
    }
  }
}

export function isSignedIn() {
  return state.current !== null;
}

export function currentRole() {
  return state.current?.role || null;
}

/** A frozen copy of the signed-in person (with their role), or null. */
export function signedInUser() {
  if (!state.current) return null;
  return Object.freeze({ ...state.current.user, role: state.current.role });
}

/** Newer details of the signed-in person (Home fetches them), for the screens that follow. */
export function updateUser(fields) {
  if (state.current && fields && typeof fields === 'object') Object.assign(state.current.user, fields);
}

/** Why the person has to sign in, for the sign-in screen; null when there is no reason. */
export function currentNotice() {
  return state.notice;
}

/**
 * Unsent drafts (replies) by key. They survive a sign-in again by the same person, never
 * a different one.
 */
export const drafts = Object.freeze({
  get: (key) => state.drafts.get(key),
  set: (key, text) => {
    state.drafts.set(key, text);
  },
  delete: (key) => {
    state.drafts.delete(key);
  },
});

function adoptSession(body) {
  const user = body.user || {};
  state.current = { user, role: body.role || user.role };
  if (body.session?.idle_timeout_seconds) {
    state.idleTimeoutSeconds = body.session.idle_timeout_seconds;
    useIdleTimeout(state.idleTimeoutSeconds);
  }
  setCsrfToken(body.csrf_token);
  if (state.draftsOwner !== user.username) state.drafts.clear();
  state.draftsOwner = user.username;
}

/** After a successful sign-in or registration: back to where the person was. */
export async function signedIn(body) {
  newEpoch();
  adoptSession(body);
  state.notice = null;
  // /auth/me carries the session's idle timeout, for the right wording later.
  try {
    const me = await api('/api/auth/me');
    adoptSession(me);
  } catch {
    /* not needed to continue */
  }
  const back = takeReturn();
  const username = state.current?.user?.username;
  const next = back && (!back.user || back.user === username) ? back.path : '/';
  announce({ reason: 'signed-in', next });
}

export async function signOut() {
  const resumeLive = pauseLive();
  try {
    await api('/api/auth/logout', { method: 'POST', auth: false });
  } catch (error) {
    if (error.status !== 401) {
      resumeLive();
      throw error;
    }
  }
  newEpoch();
  state.current = null;
  state.drafts.clear();
  clearCsrfToken();
  await forgetPlan();
  forgetReturn();
  state.notice = 'You signed out.';
  announce({ reason: 'signed-out', next: '/signin' });
}

/**
 * After closing my own account (the server already ended every session and cleared the
 * cookie): signed out here as well, with `notice` on the sign-in screen.
 */
export async function accountClosed(notice) {
  newEpoch();
  state.current = null;
  state.drafts.clear();
  clearCsrfToken();
  await forgetPlan();
  forgetReturn();
  state.notice = notice;
  announce({ reason: 'signed-out', next: '/signin' });
}

/** Every 401 (except from the sign-in form itself) ends up here, once per sign-in. */
export function sessionEnded(error) {
  const username = state.current?.user?.username;
  state.current = null;
  newEpoch();
  forgetPlan();
  state.notice = noticeFor(error);
  rememberReturn(currentPath(), username);
  announce({ reason: 'ended', next: '/signin' });
}

/**
 * The event stream's session ended. Signing in again in another tab of this browser ends
 * it too, yet the cookie the page sends now names the newer session of the same person:
 * then the page carries on with that one (true). Otherwise it is signed out, as on a 401.
 */
export async function streamSessionEnded(error) {
  const username = state.current?.user?.username;
  // The stream may hear of it before this browser has the new sign-in's cookie: a session
  // replaced this way is asked about again, briefly, until the cookie arrives.
  const tries = error.reason === 'signed_in_again' ? REPLACED_TRIES : 1;
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    const status = await api('/api/auth/status', { auth: false }).catch(() => null);
    if (username && status?.authenticated && status.user?.username === username) {
      adoptSession(status);
      return true;
    }
    if (attempt < tries) await new Promise((resolve) => setTimeout(resolve, REPLACED_WAIT_MS));
  }
  sessionEnded(error);
  return false;
}

/**
 * For the router: where a screen sends someone instead. Signed-out people sign in first
 * (and come back here afterwards); signed-in people have no use for sign-in or register.
 * Open screens (a mailed link's) are shown to anyone.
 */
export function redirectFor(route, path) {
  if (route.open) return null;
  if (!route.public && !state.current) {
    if (!state.notice) state.notice = 'Please sign in to continue.';
    rememberReturn(path, null);
    return '/signin';
  }
  if (route.public && state.current) return '/';
  return null;
}

// The screen to return to after signing in, and whose it is: someone else signing in on
// this browser goes to their own home page instead.
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

function forgetReturn() {
  try {
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    /* ignore */
  }
}

/** The sign-in screen's explanation for a 401 (or the status at start). */
function noticeFor(error) {
  switch (error.code) {
    case ErrorCode.NotAuthenticated:
      return 'Please sign in to continue.';
    case ErrorCode.SessionUnknown:
      return 'Please sign in again.';
    case ErrorCode.SessionExpired:
      return expiredNotice(error);
    case ErrorCode.SessionRevoked:
      return revokedNotice(error);
    case ErrorCode.AccountDisabled:
      return 'Your account was disabled. Please contact your care team.';
    case ErrorCode.AccountClosed:
      return CLOSED_NOTICE;
    default:
      return error.message || 'Please sign in to continue.';
  }
}

function expiredNotice(error) {
  const reason = error.reason;
  if (reason === 'idle' || reason === 'idle_timeout') {
    const seconds = state.idleTimeoutSeconds;
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
}

function revokedNotice(error) {
  switch (error.reason) {
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
}
