// Settings, "Close my account": what closing means, then the password in a dialog
// (POST /api/me/close). Closing signs the person out everywhere, so on success the app
// goes to the sign-in screen with "Your account is closed" and the date until which an
// administrator can still reopen it.

import { h } from './dom.js';
import { button } from './button.js';
import { openDialog } from './dialog.js';
import { field, setFieldError, clearFieldErrors } from './form.js';
import { formatDate } from './format.js';
import { ErrorCode } from '../error-codes.js';
import { pauseLive } from '../live.js';

/** The section, for the bottom of Settings. */
export function closeAccountPanel(ctx) {
  const open = button('Close my account…', { class: 'button danger secondary', 'data-testid': 'close-account' });
  open.addEventListener('click', () => confirmClosing(ctx, open));
  return h('section', { class: 'panel closing', 'aria-labelledby': 'close-title', 'data-testid': 'close-account-panel' },
    h('h2', { id: 'close-title' }, 'Close my account'),
    consequences(),
    h('p', {}, 'Want a copy of what you wrote? ', exportLink(), ' before you close it.'),
    needHelp(ctx),
    h('div', { class: 'actions' }, open));
}

function consequences() {
  return h('ul', { 'data-testid': 'close-consequences' },
    h('li', {}, 'You are signed out on every device, and you cannot sign in again.'),
    h('li', {}, 'Your care team sees you as “Former member” in your messages.'),
    h('li', {}, 'For a while, an administrator can reopen it if you change your mind: ask your care team.'),
    h('li', {}, 'After that, your personal details (name, email, password) are erased. ',
      'Your clinical records are kept for as long as the law requires.'));
}

// The download is the "Your data" section of this screen: the link takes you to its button.
function exportLink() {
  return h('a', {
    href: '#export-title',
    'data-testid': 'close-export-link',
    onclick: (event) => {
      event.preventDefault();
      const download = document.querySelector('[data-testid=export-data]');
      download?.scrollIntoView({ block: 'center' });
      download?.focus();
    },
  }, 'Download your data');
}

// People in crisis may close their account: the crisis lines are one press away.
function needHelp(ctx) {
  const help = button('Need help now?', { class: 'button secondary small', 'data-testid': 'close-crisis' });
  help.addEventListener('click', () => ctx.chrome.openCrisis());
  return h('div', { class: 'alert info', 'data-testid': 'close-help' },
    h('p', {}, 'If you are closing it because things feel too much right now, please talk to someone first. ',
      'The crisis lines are there any time, day or night.'),
    h('p', {}, help));
}

function confirmClosing(ctx, opener) {
  const password = field({ id: 'close-password', name: 'password', label: 'Your password', type: 'password',
    autocomplete: 'current-password', hint: 'To show that it is you closing the account.' });
  // For password managers: which account this password belongs to.
  const account = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: ctx.user.username,
    hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' });
  const dialog = openDialog({
    title: 'Close your account?',
    testid: 'close-dialog',
    content: [
      h('p', {}, 'You will be signed out everywhere. An administrator can reopen it for a while; ',
        'after that your personal details are erased.'),
      account,
      password,
    ],
    confirmLabel: 'Close my account',
    busyLabel: 'Closing…',
    opener,
    onConfirm: async () => {
      clearFieldErrors({ password });
      if (!password.control.value) {
        return refuse(password, 'Enter your password.');
      }
      let result;
      const resumeLive = pauseLive();
      try {
        result = await ctx.api('/api/me/close', { method: 'POST', body: { password: password.control.value } });
      } catch (error) {
        resumeLive();
        if (error.field === 'password' || error.code === ErrorCode.WrongPassword) {
          return refuse(password, error.message || 'Your password is not correct.');
        }
        throw error;
      }
      dialog.close();
      ctx.session.accountClosed(closedNotice(result));
      return false;
    },
  });
}

/** Keeps the dialog open with the message on the password field. */
function refuse(password, message) {
  password.control.value = '';
  setFieldError(password, message);
  password.control.focus();
  return false;
}

function closedNotice(result) {
  const until = formatDate(result.reopenable_until);
  return `Your account is closed, and you are signed out everywhere. ${until
    ? `Until ${until}, an administrator can reopen it if you ask your care team; after that, your personal details are erased.`
    : 'For a while, an administrator can reopen it if you ask your care team.'}`;
}
