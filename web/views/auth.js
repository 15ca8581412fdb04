// Sign in and registration.

import { h, fill } from '../components/dom.js';
import { codeStep, enrolment } from '../components/two-factor.js';
import { button } from '../components/button.js';
import { field, formAlert, setFieldError, showFormError, clearFieldErrors, onSubmit } from '../components/form.js';
import { pageHead } from '../components/page.js';
import { passkeySignIn } from '../components/passkey-signin.js';
import { describeError, waitText } from '../components/status.js';
import { ErrorCode } from '../error-codes.js';

export function signinView(ctx) {
  const notice = ctx.session.notice;
  // After a password reset, the reset screen sends the person here with their username.
  const known = ctx.query.get('username') || '';
  const username = field({ id: 'username', label: 'Username', autocomplete: 'username', required: true,
    value: known, attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const password = field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true });
  const alert = formAlert();
  const submit = button('Sign in', { type: 'submit', id: 'signin-submit', 'data-testid': 'signin-submit' });
  const fields = { username, password };
  const form = h('form', { novalidate: true, 'aria-labelledby': 'signin-title' }, alert, username, password,
    h('div', { class: 'actions' }, submit));

  const panel = h(
    'div',
    { class: 'panel narrow' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'signin-title' }, 'Sign in')),
    notice
      ? h('div', { class: 'alert info', role: 'alert', 'data-testid': 'signin-notice' }, notice)
      : h('p', { class: 'lede' }, 'Welcome. Sign in to stay in touch with your care team.'),
    form,
    passkeySignIn(ctx, alert),
    h('p', {}, h('a', { href: '/forgot-password', 'data-testid': 'forgot-link' }, 'Forgot password?')),
    h('p', { class: 'muted' }, 'New to Healing Space? ',
      h('a', { href: '/register', 'data-testid': 'register-link' }, 'Create an account')),
  );
  ctx.main.append(panel);

  onSubmit(form, submit, 'Signing in…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    const name = username.control.value.trim();
    const pass = password.control.value;
    if (!name) {
      setFieldError(username, 'Enter your username.');
      username.control.focus();
      return;
    }
    if (!pass) {
      setFieldError(password, 'Enter your password.');
      password.control.focus();
      return;
    }
    try {
      const body = await ctx.api('/api/auth/login', {
        method: 'POST',
        body: { username: name, password: pass },
        auth: false,
      });
      if (body.status === 'two_factor_required' || body.status === 'two_factor_enrolment_required') {
        secondStep(ctx, panel, body.status);
        return;
      }
      await ctx.session.signedIn(body);
    } catch (error) {
      if (error.code === ErrorCode.InvalidCredentials) {
        alert.show('error', 'The username or password is not correct. Please check them and try again.');
        password.control.value = '';
        password.control.focus();
      } else if (error.code === ErrorCode.AccountDisabled) {
        alert.show('error', 'Your account was disabled. Please contact your care team.');
      } else if (error.code === ErrorCode.AccountClosed) {
        alert.show('error', closedAccount(ctx, name, pass));
      } else if (error.code === ErrorCode.TooManyAttempts) {
        alert.show('error', lockedOut(error.retryAfter));
      } else if (error.status === 429) {
        alert.show('error', `${error.message || 'Too many attempts.'} ${waitText(error.retryAfter)}`);
      } else {
        showFormError(error, alert, fields);
      }
    }
  });

  // The form is the point of this page: start there.
  (known ? password : username).control.focus();
}

// The password was right; a code (or setting up an app the role requires) comes next, in
// place of the form. Nothing else opens until it is done.
function secondStep(ctx, panel, status) {
  const signedIn = (body) => ctx.session.signedIn(body);
  const restart = (message) => fill(panel,
    h('div', { class: 'alert error', role: 'alert', 'data-testid': 'second-step-missing' }, message),
    h('p', {}, h('a', { href: '/signin', 'data-testid': 'signin-again' }, 'Sign in again')));
  if (status === 'two_factor_required') {
    fill(panel, codeStep(ctx, { signedIn, restart }));
    return;
  }
  fill(panel,
    h('h2', { tabindex: '-1' }, 'Set up two-step sign-in'),
    h('p', { class: 'lede' }, 'Your role looks after other people’s health information, so signing in also asks for a code ',
      'from an app on your phone. Set it up once now; it takes a minute.'),
    enrolment(ctx, { auth: false, confirmed: (body) => signedIn(body.signed_in) }));
}

// A closed account cannot sign in, but until its details are erased its owner can still
// download everything it holds, with the password just typed.
function closedAccount(ctx, username, password) {
  const download = button('Download my data', { class: 'button small secondary', 'data-testid': 'closed-export' });
  const status = h('span', { role: 'status', class: 'muted' });
  download.addEventListener('click', async () => {
    if (download.isBusy()) return;
    download.setBusy(true, 'Preparing your download…');
    try {
      const response = await ctx.api('/api/auth/closed-account/export', {
        method: 'POST', body: { username, password }, auth: false, raw: true, timeout: 60000,
      });
      const url = URL.createObjectURL(new Blob([await response.blob()], { type: 'application/json' }));
      const link = h('a', { href: url, download: `healing-space-${username}.json`, class: 'visually-hidden' }, 'download');
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      fill(status, 'Your data was downloaded as a JSON file.');
    } catch (error) {
      fill(status, describeError(error));
    } finally {
      download.setBusy(false);
    }
  });
  return h('span', { 'data-testid': 'account-closed' },
    'This account was closed, so it cannot sign in. For a while after closing, an administrator can reopen it: ',
    'ask your care team. Until then you can still download everything it holds. ',
    download, ' ', status);
}

// Too many wrong passwords for this account: wait, or reset it (a reset link always works).
function lockedOut(retryAfter) {
  return h('span', { 'data-testid': 'locked-out' },
    `Too many unsuccessful sign-in attempts for this account. ${waitText(retryAfter)} `,
    'If you cannot remember your password, use ',
    h('a', { href: '/forgot-password', 'data-testid': 'locked-out-forgot' }, 'Forgot password?'),
    ' to get a reset link.');
}

export function registerView(ctx) {
  const alert = formAlert();
  const patientRadio = h('input', { type: 'radio', name: 'role', id: 'reg-role-patient', value: 'patient', checked: true });
  const clinicianRadio = h('input', { type: 'radio', name: 'role', id: 'reg-role-clinician', value: 'clinician' });
  const role = h(
    'fieldset',
    {},
    h('legend', {}, 'I am joining as'),
    h('div', { class: 'choice' }, patientRadio, h('label', { for: 'reg-role-patient' }, 'Someone receiving care')),
    h('div', { class: 'choice' }, clinicianRadio,
      h('label', { for: 'reg-role-clinician' }, 'A clinician (an administrator approves clinician accounts)')),
  );
  const username = field({
    id: 'reg-username', name: 'username', label: 'Username', autocomplete: 'username', required: true,
    hint: '3 to 32 characters: letters, numbers, dots, underscores or hyphens.',
    attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const displayName = field({
    id: 'reg-display-name', name: 'display_name', label: 'Your name (optional)', autocomplete: 'name',
    hint: 'How your care team will see you. If you leave it empty, we use your username.',
  });
  const email = field({
    id: 'reg-email', name: 'email', label: 'Email (optional)', type: 'email', autocomplete: 'email',
  });
  const password = field({
    id: 'reg-password', name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password',
    required: true, hint: 'At least 10 characters, not your name. A few unrelated words you will remember work well.',
  });
  const clinician = field({
    id: 'reg-clinician', name: 'clinician', label: 'Your clinician’s username (optional)',
    hint: 'If your clinician gave you their username, enter it to ask to join their care team.',
    attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const fields = { username, display_name: displayName, email, password, clinician };
  const submit = button('Create account', { type: 'submit', 'data-testid': 'register-submit' });
  const form = h('form', { novalidate: true }, alert, role, username, displayName, email, password, clinician,
    h('div', { class: 'actions' }, submit));

  const syncRole = () => {
    clinician.hidden = clinicianRadio.checked;
  };
  patientRadio.addEventListener('change', syncRole);
  clinicianRadio.addEventListener('change', syncRole);

  const panel = h(
    'div',
    { class: 'panel narrow' },
    pageHead('Create an account'),
    h('p', { class: 'lede' }, 'It takes a minute. You can change your password later in Settings.'),
    form,
    h('p', { class: 'muted' }, 'Already have an account? ',
      h('a', { href: '/signin', 'data-testid': 'signin-link' }, 'Sign in')),
  );
  ctx.main.append(panel);

  onSubmit(form, submit, 'Creating your account…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    const body = {
      username: username.control.value.trim(),
      password: password.control.value,
      role: clinicianRadio.checked ? 'clinician' : 'patient',
    };
    const name = displayName.control.value.trim();
    if (name) body.display_name = name;
    const mail = email.control.value.trim();
    if (mail) body.email = mail;
    const clinicianName = clinician.control.value.trim();
    if (clinicianName && !clinicianRadio.checked) body.clinician = clinicianName;
    if (!body.username) {
      setFieldError(username, 'Choose a username.');
      username.control.focus();
      return;
    }
    if (body.password.length < 10) {
      setFieldError(password, 'A password is at least 10 characters long.');
      password.control.focus();
      return;
    }
    try {
      const result = await ctx.api('/api/auth/register', { method: 'POST', body, auth: false });
      if (result.status === 'two_factor_enrolment_required') {
        secondStep(ctx, panel, result.status);
        return;
      }
      await ctx.session.signedIn(result);
    } catch (error) {
      if (error.status === 429) {
        alert.show('error', describeError(error));
      } else {
        showFormError(error, alert, fields);
      }
    }
  });
}
