// A minute before the session would end for lack of activity, a warning with a countdown
// and "Stay signed in". The server says how long is left (GET /api/auth/session-deadline,
// which is not activity itself, so asking never keeps a session alive); anything the
// person does meanwhile moves the deadline, and the next look finds that.

import { h } from './dom.js';
import { button } from './button.js';
import { api } from '../api.js';

const WARN_BEFORE_S = 60;
/** When the server cannot be asked, look again after this long. */
const RETRY_MS = 30000;

let timer = null;
let ticker = null;
let banner = null;

/** Starts watching the signed-in session's deadline. */
export function watchIdle() {
  stopIdleWatch();
  look();
}

export function stopIdleWatch() {
  clearTimeout(timer);
  clearInterval(ticker);
  timer = null;
  ticker = null;
  banner?.remove();
  banner = null;
}

async function look() {
  let deadline;
  try {
    deadline = await api('/api/auth/session-deadline', { auth: false });
  } catch (error) {
    // Signed out already: the sign-in screen says why. Otherwise, look again later.
    if (error.status !== 401) timer = setTimeout(look, RETRY_MS);
    return;
  }
  const left = Number(deadline.seconds_left) || 0;
  if (left > WARN_BEFORE_S) {
    hideBanner();
    timer = setTimeout(look, (left - WARN_BEFORE_S) * 1000);
    return;
  }
  showBanner(left, deadline.ends_by);
}

function hideBanner() {
  clearInterval(ticker);
  ticker = null;
  banner?.remove();
  banner = null;
}

function showBanner(secondsLeft, endsBy) {
  hideBanner();
  const endsAt = Date.now() + secondsLeft * 1000;
  const count = h('span', { 'data-testid': 'idle-seconds' });
  const update = () => {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    count.textContent = `${left} second${left === 1 ? '' : 's'}`;
    if (left === 0) {
      hideBanner();
      // The session has ended: the next answer (or the event stream) says so.
      timer = setTimeout(look, 1000);
    }
  };
  const stay = button('Stay signed in', { 'data-testid': 'stay-signed-in' });
  stay.addEventListener('click', async () => {
    if (stay.isBusy()) return;
    stay.setBusy(true, 'One moment…');
    try {
      await api('/api/auth/me');
    } catch {
      /* a 401 is handled by api() */
    }
    look();
  });
  banner = h('div', { class: 'idle-warning', role: 'alertdialog', 'aria-live': 'assertive',
    'aria-labelledby': 'idle-title', 'data-testid': 'idle-warning' },
  h('p', { id: 'idle-title', class: 'alert-title' }, endsBy === 'idle'
    ? ['You will be signed out in ', count, ' because nothing has happened for a while.']
    : ['Your sign-in ends in ', count, ': it lasts a limited time. Save what you are writing.']),
  endsBy === 'idle' ? h('div', { class: 'actions' }, stay) : null);
  document.body.append(banner);
  update();
  ticker = setInterval(update, 1000);
  if (endsBy === 'idle') stay.focus();
}
