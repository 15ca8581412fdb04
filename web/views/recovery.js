// A way back in: asking for a password reset link, setting a new password with it, and
// confirming an email address with the link mailed to it; and the unsubscribe link of
// new-message mail. The links carry their token
// after `#token=`, so it never reaches a server log; it leaves the address bar once read.

import { h, fill } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, setFieldError, showFormError, clearFieldErrors, onSubmit } from '../components/form.js';
import { pageHead } from '../components/page.js';
import { loading, describeError } from '../components/status.js';
import { ErrorCode } from '../error-codes.js';

const LINK_PROBLEMS = {
  [ErrorCode.LinkUsed]: 'This link was already used. Each link works only once.',
  [ErrorCode.LinkExpired]: 'This link has expired. Links work for a limited time.',
  [ErrorCode.LinkUnknown]: 'This link is not one we sent, or only part of it was copied.',
};

/** The token of a mailed link (`#token=...`), taken out of the address bar. */
function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return token.trim();
}

function panel(title, ...content) {
  return h('div', { class: 'panel narrow' }, pageHead(title), ...content);
}

export function forgotPasswordView(ctx) {
  const alert = formAlert();
  const who = field({ id: 'forgot-who', name: 'username_or_email', label: 'Username or email address',
    autocomplete: 'username', required: true, attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const submit = button('Send me a link', { type: 'submit', 'data-testid': 'forgot-submit' });
  const form = h('form', { novalidate: true }, alert, who, h('div', { class: 'actions' }, submit));
  ctx.main.append(panel('Forgot your password?',
    h('p', { class: 'lede' }, 'If your account has a confirmed email address, we will mail you a link to choose a new password.'),
    form,
    h('p', { 'data-testid': 'forgot-no-email' },
      'No email address on your account? Ask your care team or an administrator: they can give you a reset link.'),
    h('p', { class: 'muted' }, h('a', { href: '/signin', 'data-testid': 'signin-link' }, 'Back to sign in'))));

  onSubmit(form, submit, 'Sending…', async () => {
    clearFieldErrors({ who });
    alert.clear();
    const value = who.control.value.trim();
    if (!value) {
      setFieldError(who, 'Enter your username or email address.');
      who.control.focus();
      return;
    }
    try {
      const result = await ctx.api('/api/auth/password-reset', {
        method: 'POST', body: { username_or_email: value }, auth: false,
      });
      alert.show('success', result?.message || 'If that account has a confirmed address, a link is on its way.');
    } catch (error) {
      showFormError(error, alert, { username_or_email: who });
    }
  });
  who.control.focus();
}

export function resetPasswordView(ctx) {
  const token = takeToken();
  const body = h('div', {});
  ctx.main.append(panel('Choose a new password', body));
  if (!token) {
    fill(body, linkProblem(ErrorCode.LinkUnknown, 'The address has no link in it.'));
    return;
  }
  fill(body, resetForm(ctx, token, (content) => fill(body, content)));
  // The form is the point of this page: start there.
  body.querySelector('input').focus();
}

function resetForm(ctx, token, replace) {
  const alert = formAlert();
  const next = field({ id: 'reset-password', name: 'new_password', label: 'New password', type: 'password',
    autocomplete: 'new-password', required: true,
    hint: 'At least 10 characters, not your name. A few unrelated words you will remember work well.' });
  const again = field({ id: 'reset-password-again', name: 'confirm_password', label: 'New password again',
    type: 'password', autocomplete: 'new-password', required: true });
  const submit = button('Set my new password', { type: 'submit', 'data-testid': 'reset-submit' });
  const fields = { new_password: next, confirm_password: again };
  const form = h('form', { novalidate: true }, alert, next, again, h('div', { class: 'actions' }, submit));

  onSubmit(form, submit, 'Setting…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    if (next.control.value.length < 10) {
      setFieldError(next, 'A password is at least 10 characters long.');
      next.control.focus();
      return;
    }
    if (next.control.value !== again.control.value) {
      setFieldError(again, 'The two passwords are not the same.');
      again.control.focus();
      return;
    }
    try {
      const result = await ctx.api('/api/auth/password-reset/complete', {
        method: 'POST', body: { token, new_password: next.control.value }, auth: false,
      });
      replace(resetDone(result?.username || ''));
    } catch (error) {
      if (LINK_PROBLEMS[error.code]) replace(linkProblem(error.code));
      else showFormError(error, alert, fields);
    }
  });
  return form;
}

function resetDone(username) {
  const signin = username ? `/signin?username=${encodeURIComponent(username)}` : '/signin';
  return h('div', { 'data-testid': 'reset-done' },
    h('div', { class: 'alert success', role: 'alert' },
      h('p', { class: 'alert-title' }, 'Your new password is set.'),
      h('p', {}, 'For your safety, every device that was signed in to your account has been signed out.')),
    h('p', {}, h('a', { href: signin, class: 'button', 'data-testid': 'reset-signin' }, 'Sign in')));
}

function linkProblem(code, detail) {
  return h('div', { 'data-testid': 'link-problem', 'data-code': code },
    h('div', { class: 'alert error', role: 'alert' },
      h('p', { class: 'alert-title' }, detail || LINK_PROBLEMS[code]),
      h('p', {}, 'Your password has not been changed. Ask for a new link and use the newest one you receive.')),
    h('p', {}, h('a', { href: '/forgot-password', class: 'button', 'data-testid': 'ask-new-link' }, 'Ask for a new link')));
}

export async function verifyEmailView(ctx) {
  const token = takeToken();
  const body = h('div', {}, loading('Confirming your address…'));
  ctx.main.append(panel('Confirm your email address', body));
  if (!token) {
    fill(body, verifyProblem(ErrorCode.LinkUnknown, 'The address has no link in it.', ctx));
    return;
  }
  try {
    const result = await ctx.api('/api/me/email/verify', { method: 'POST', body: { token }, auth: false });
    if (!ctx.isCurrent()) return;
    if (ctx.user && ctx.user.username === result.username) {
      ctx.session.updateUser({ email: result.email, email_verified: result.email_verified });
    }
    fill(body, h('div', { class: 'alert success', role: 'alert', 'data-testid': 'email-confirmed' },
      h('p', { class: 'alert-title' }, 'Your email address is confirmed.'),
      h('p', {}, `${result.email || 'The address'} can now receive a link if you ever forget your password.`)),
    nextStep(ctx));
  } catch (error) {
    if (!ctx.isCurrent()) return;
    fill(body, verifyProblem(error.code, verifyMessage(error), ctx));
  }
}

function verifyMessage(error) {
  if (error.code === ErrorCode.AlreadyExists) {
    return 'This address is already confirmed for another account. Use a different address in Settings.';
  }
  if (error.code === ErrorCode.LinkUsed && error.status === 409) {
    return 'The address on the account changed after this link was sent. Use the link in the newest mail.';
  }
  return LINK_PROBLEMS[error.code] || describeError(error);
}

function verifyProblem(code, message, ctx) {
  return h('div', { 'data-testid': 'email-problem', 'data-code': code || '' },
    h('div', { class: 'alert error', role: 'alert' }, h('p', {}, message)),
    h('p', {}, `To get a new link, ${ctx.user ? '' : 'sign in and, '}in Settings, remove your address and add it again.`),
    nextStep(ctx));
}

function nextStep(ctx) {
  return ctx.user
    ? h('p', {}, h('a', { href: '/settings', class: 'button secondary', 'data-testid': 'to-settings' }, 'Go to Settings'))
    : h('p', {}, h('a', { href: '/signin', class: 'button secondary', 'data-testid': 'to-signin' }, 'Sign in'));
}

/** `/unsubscribe#token=...`: the link in a new-message mail, switching those mails off. */
export function unsubscribeView(ctx) {
  const token = takeToken();
  const alert = formAlert();
  const stop = button('Stop new-message emails', { 'data-testid': 'unsubscribe-confirm' });
  const body = h('div', {},
    h('p', { class: 'lede' }, 'We mail you when a new message waits on Healing Space (never what it says). '
      + 'You can switch these mails off here, and on again in Settings.'),
    alert,
    h('div', { class: 'actions' }, stop));
  ctx.main.append(panel('New-message emails', body));
  stop.addEventListener('click', async () => {
    if (stop.isBusy()) return;
    stop.setBusy(true, 'Switching off…');
    alert.clear();
    try {
      await ctx.api(`/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST', auth: false });
      fill(body, h('div', { class: 'alert success', role: 'alert', 'data-testid': 'unsubscribed' },
        h('p', {}, 'Done: we will not mail you about new messages. You can switch this on again in Settings.')),
      nextStep(ctx));
    } catch (error) {
      stop.setBusy(false);
      alert.show('error', LINK_PROBLEMS[error.code] || describeError(error));
    }
  });
}
