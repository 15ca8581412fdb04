// Settings: account details, name and email, password, two-step sign-in, passkeys, email about
// new messages, signed-in devices, data export, sign out, and, set apart at the bottom,
// closing the account.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors, setFieldError } from '../components/form.js';
import { formatDate, plural } from '../components/format.js';
import { pageHead } from '../components/page.js';
import { profilePanel } from '../components/profile-panel.js';
import { closeAccountPanel } from '../components/close-account.js';
import { deviceList } from '../components/device-list.js';
import { pauseLive } from '../live.js';
import { twoFactorPanel } from '../components/two-factor.js';
import { passkeysPanel } from '../components/passkeys-panel.js';
import { loading, errorBox, describeError } from '../components/status.js';
import { ErrorCode } from '../error-codes.js';

const ROLE_WORDS = { patient: 'Person receiving care', clinician: 'Clinician', admin: 'Administrator' };

export async function settingsView(ctx) {
  const user = ctx.user;
  const devices = h('div', {}, loading('Loading your devices…'));
  const devicesAlert = formAlert();

  ctx.main.append(
    pageHead('Settings'),
    h('div', { class: 'columns' },
      h('div', {},
        accountPanel(user),
        profilePanel(ctx),
        h('section', { class: 'panel', 'aria-labelledby': 'devices-title', 'data-testid': 'devices' },
          h('h2', { id: 'devices-title' }, 'Where you are signed in'),
          h('p', { class: 'muted' }, 'If you see a device you do not recognise, sign it out and change your password.'),
          devicesAlert,
          devices),
        signOutPanel(ctx)),
      h('div', {},
        passwordPanel(ctx, () => loadDevices()),
        twoFactorPanel(ctx),
        mailPanel(ctx),
        passkeysPanel(ctx),
        exportPanel(ctx))),
    closeAccountPanel(ctx),
  );

  const loadDevices = async () => {
    devices.replaceChildren(loading('Loading your devices…'));
    let sessions;
    try {
      sessions = (await ctx.api('/api/auth/sessions')).sessions || [];
    } catch (error) {
      if (error.handled) return;
      devices.replaceChildren(errorBox(error, loadDevices));
      return;
    }
    devices.replaceChildren(deviceList(ctx, sessions, devicesAlert, loadDevices));
  };
  await loadDevices();
}

function accountPanel(user) {
  const row = (label, value) => [h('dt', { class: 'label' }, label), h('dd', {}, value || '—')];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'account-title' },
    h('h2', { id: 'account-title' }, 'Your account'),
    h('dl', { class: 'details' },
      row('Username', user.username),
      row('Account type', ROLE_WORDS[user.role] || user.role),
      user.status && user.status !== 'active' ? row('Status', user.status === 'pending' ? 'Awaiting approval' : user.status) : null,
      row('Member since', formatDate(user.created_at))),
  );
}

function passwordPanel(ctx, onChanged) {
  const alert = formAlert();
  const current = field({ id: 'current-password', name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password' });
  const next = field({ id: 'new-password', name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 10 characters, not your name. A few unrelated words work well.' });
  const confirm = field({ id: 'confirm-password', name: 'confirm_password', label: 'New password again', type: 'password', autocomplete: 'new-password' });
  const submit = button('Change password', { type: 'submit', 'data-testid': 'change-password' });
  const fields = { current_password: current, new_password: next, confirm_password: confirm };
  // For password managers: which account this password belongs to.
  const account = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: ctx.user.username,
    hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' });
  const form = h('form', { novalidate: true }, alert, account, current, next, confirm, h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Changing…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    if (!current.control.value) {
      setFieldError(current, 'Enter your current password.');
      current.control.focus();
      return;
    }
    if (next.control.value.length < 10) {
      setFieldError(next, 'A new password is at least 10 characters long.');
      next.control.focus();
      return;
    }
    if (next.control.value !== confirm.control.value) {
      setFieldError(confirm, 'The two new passwords are not the same.');
      confirm.control.focus();
      return;
    }
    // The session is renewed: the stream opens again with the new one, done or not.
    const resumeLive = pauseLive();
    try {
      const result = await ctx.api('/api/auth/change-password', {
        method: 'POST',
        body: { current_password: current.control.value, new_password: next.control.value },
      }).finally(resumeLive);
      form.reset();
      const ended = Number(result.other_sessions_ended) || 0;
      alert.show('success', `Your password was changed.${ended ? ` ${plural(ended, 'other device was', 'other devices were')} signed out.` : ''}`);
      onChanged();
    } catch (error) {
      if (error.code === ErrorCode.WrongPassword) {
        current.control.value = '';
      }
      showFormError(error, alert, fields);
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Change your password'),
    h('p', { class: 'muted' }, 'Changing it signs you out on your other devices.'),
    form);
}

function exportPanel(ctx) {
  const alert = formAlert();
  const b = button('Download my data', { class: 'button secondary', 'data-testid': 'export-data' });
  b.addEventListener('click', async () => {
    if (b.isBusy()) return;
    b.setBusy(true, 'Preparing your download…');
    alert.clear();
    try {
      const response = await ctx.api('/api/me/export', { raw: true, timeout: 60000 });
      const blob = await response.blob();
      const url = URL.createObjectURL(new Blob([blob], { type: 'application/json' }));
      const day = new Date().toISOString().slice(0, 10);
      const link = h('a', { href: url, download: `healing-space-export-${day}.json`, class: 'visually-hidden' }, 'download');
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      alert.show('success', 'Your data was downloaded as a JSON file.');
    } catch (error) {
      if (!error.handled) alert.show('error', describeError(error));
    } finally {
      b.setBusy(false);
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Your data'),
    h('p', {}, 'Download a copy of everything Healing Space keeps about you: your account, messages, check-ins and feedback.'),
    alert,
    b);
}

function signOutPanel(ctx) {
  const b = button('Sign out', { class: 'button secondary', 'data-testid': 'signout' });
  b.addEventListener('click', async () => {
    if (b.isBusy()) return;
    b.setBusy(true, 'Signing out…');
    try {
      await ctx.session.signOut();
    } catch (error) {
      b.setBusy(false);
      b.after(errorBox(error));
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'signout-title' },
    h('h2', { id: 'signout-title' }, 'Sign out'),
    h('p', {}, 'On a shared or public computer, always sign out when you finish.'),
    b);
}

// New-message mail: on unless switched off here (or by a mail's unsubscribe link).
function mailPanel(ctx) {
  const alert = formAlert();
  const box = h('input', { type: 'checkbox', id: 'message-emails', 'data-testid': 'message-emails', disabled: true });
  const load = async () => {
    try {
      box.checked = !!(await ctx.api('/api/me/preferences')).message_emails;
      box.disabled = false;
    } catch (error) {
      if (!error.handled) alert.show('error', describeError(error));
    }
  };
  box.addEventListener('change', async () => {
    box.disabled = true;
    alert.clear();
    try {
      const result = await ctx.api('/api/me', { method: 'PATCH', body: { preferences: { message_emails: box.checked } } });
      box.checked = !!result.preferences.message_emails;
      alert.show('success', box.checked ? 'We will mail you about new messages.' : 'We will not mail you about new messages.');
    } catch (error) {
      box.checked = !box.checked;
      if (!error.handled) alert.show('error', describeError(error));
    } finally {
      box.disabled = false;
    }
  });
  load();
  return h('section', { class: 'panel', 'aria-labelledby': 'mail-title' },
    h('h2', { id: 'mail-title' }, 'Email'),
    alert,
    h('div', { class: 'choice' }, box,
      h('label', { for: 'message-emails' }, 'Email me when a new message waits, at most every 15 minutes and only while I am away. '
        + 'The mail never says what the message is or who sent it. It needs a confirmed address.')));
}
