// Two-step sign-in: the code step after a right password, setting up an authenticator app
// (at sign-in when the person's role requires it, or from Settings), and the Settings panel.

import { h, s, fill } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors, setFieldError } from './form.js';
import { loading, errorBox, waitText } from './status.js';
import { ErrorCode } from '../error-codes.js';

/** The server's QR code, rebuilt shape by shape: only its drawing is kept, never markup. */
export function qrImage(svgText) {
  const parsed = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  const svg = s('svg', {
    viewBox: parsed.getAttribute('viewBox'), width: 200, height: 200, class: 'qr',
    role: 'img', 'aria-label': 'QR code to scan with your authenticator app', 'data-testid': 'totp-qr',
  });
  for (const shape of parsed.querySelectorAll('rect, path')) {
    const attrs = {};
    for (const name of ['x', 'y', 'width', 'height', 'd', 'fill', 'shape-rendering']) {
      if (shape.hasAttribute(name)) attrs[name] = shape.getAttribute(name);
    }
    svg.append(s(shape.localName, attrs));
  }
  return svg;
}

function codeField(id, label, hint) {
  return field({ id, name: 'code', label, hint, autocomplete: 'one-time-code',
    attrs: { autocapitalize: 'none', spellcheck: 'false', 'data-testid': id } });
}

/**
 * After a right password, when the account has two-step sign-in: a code from the app or a
 * recovery code. `signedIn(body)` finishes; `restart(message)` goes back to the password.
 */
export function codeStep(ctx, { signedIn, restart }) {
  const alert = formAlert();
  const code = codeField('second-factor-code', 'Code',
    'The 6-digit code your authenticator app shows for Healing Space. No phone? Enter one of your recovery codes.');
  const submit = button('Continue', { type: 'submit', 'data-testid': 'second-factor-submit' });
  const form = h('form', { novalidate: true, 'data-testid': 'second-factor' }, alert, code,
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Checking…', async () => {
    clearFieldErrors({ code });
    alert.clear();
    const typed = code.control.value.trim();
    if (!typed) {
      setFieldError(code, 'Enter the code from your app, or a recovery code.');
      code.control.focus();
      return;
    }
    try {
      await signedIn(await ctx.api('/api/auth/2fa/verify', { method: 'POST', body: { code: typed }, auth: false }));
    } catch (error) {
      if (error.code === ErrorCode.SecondStepMissing) {
        restart(error.message);
      } else if (error.code === ErrorCode.TooManyAttempts) {
        alert.show('error', `Too many wrong codes for this account. ${waitText(error.retryAfter)}`);
      } else {
        code.control.value = '';
        showFormError(error, alert, { code });
        code.control.focus();
      }
    }
  });
  queueMicrotask(() => code.control.focus());
  return h('div', {},
    h('h2', { tabindex: '-1' }, 'Two-step sign-in'),
    h('p', { class: 'lede' }, 'Your password is right. Now enter the code from your authenticator app.'),
    form);
}

/**
 * Setting up an authenticator app: the QR code and the secret, then a code to confirm it.
 * `auth` is false at sign-in (no session yet). `confirmed(body)` gets the confirmation,
 * with the recovery codes, after the person has seen them.
 */
export function enrolment(ctx, { auth = true, confirmed }) {
  const place = h('div', { 'data-testid': 'totp-enrolment' }, loading('Preparing your code…'));
  const start = async () => {
    let setup;
    try {
      setup = await ctx.api('/api/auth/2fa/totp/setup', { method: 'POST', auth });
    } catch (error) {
      if (!error.handled) fill(place, errorBox(error, start));
      return;
    }
    fill(place, scanAndConfirm(ctx, setup, auth, (body) => fill(place, recoveryCodes(body.recovery_codes, () => confirmed(body)))));
  };
  start();
  return place;
}

function scanAndConfirm(ctx, setup, auth, done) {
  const alert = formAlert();
  const code = codeField('totp-confirm-code', 'Code from the app', 'Enter the 6-digit code the app now shows for Healing Space.');
  const submit = button('Turn on two-step sign-in', { type: 'submit', 'data-testid': 'totp-confirm' });
  const form = h('form', { novalidate: true }, alert, code, h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Checking…', async () => {
    clearFieldErrors({ code });
    alert.clear();
    try {
      done(await ctx.api('/api/auth/2fa/totp/confirm', { method: 'POST', body: { code: code.control.value.trim() }, auth }));
    } catch (error) {
      if (!error.handled) showFormError(error, alert, { code });
    }
  });
  const grouped = setup.secret.match(/.{1,4}/g).join(' ');
  return h('div', {},
    h('ol', { class: 'steps' },
      h('li', {}, 'Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 2FAS).'),
      h('li', {}, 'Scan this QR code with it.', h('div', { class: 'qr-box' }, qrImage(setup.qr_svg)),
        h('p', { class: 'muted' }, 'Cannot scan? Type this key into the app instead: ',
          h('code', { 'data-testid': 'totp-secret', 'data-secret': setup.secret }, grouped))),
      h('li', {}, 'Enter the code it shows.')),
    form);
}

/** The recovery codes, shown once, until the person says they saved them. */
export function recoveryCodes(codes, saved) {
  const ok = button('I have saved these codes', { 'data-testid': 'recovery-codes-saved' });
  ok.addEventListener('click', saved);
  return h('div', { class: 'alert info', 'data-testid': 'recovery-codes' },
    h('p', { class: 'alert-title' }, 'Your recovery codes'),
    h('p', {}, 'If you lose your phone, each of these codes signs you in once instead of a code from the app. ',
      'Write them down or print them, and keep them somewhere safe. You will not see them again.'),
    h('ul', { class: 'code-list' }, codes.map((c) => h('li', {}, h('code', { 'data-testid': 'recovery-code' }, c)))),
    h('div', { class: 'actions' }, ok));
}

/** Settings: two-step sign-in on or off, new recovery codes, turning it off. */
export function twoFactorPanel(ctx) {
  const body = h('div', {}, loading('Loading…'));
  const load = async () => {
    let status;
    try {
      status = await ctx.api('/api/auth/2fa');
    } catch (error) {
      if (!error.handled) fill(body, errorBox(error, load));
      return;
    }
    fill(body, status.totp_enabled ? whenOn(ctx, status, load) : whenOff(ctx, status, body, load));
  };
  load();
  return h('section', { class: 'panel', 'aria-labelledby': 'two-factor-title', 'data-testid': 'two-factor' },
    h('h2', { id: 'two-factor-title' }, 'Two-step sign-in'),
    body);
}

function whenOff(ctx, status, body, reload) {
  const setUp = button('Set up an authenticator app', { 'data-testid': 'totp-set-up' });
  setUp.addEventListener('click', () => fill(body, enrolment(ctx, { confirmed: reload })));
  return [
    h('p', { 'data-testid': 'two-factor-state' }, status.required
      ? 'Your role must use two-step sign-in. Set it up now.'
      : 'Off. With it on, signing in also asks for a code from an app on your phone, so a stolen password is not enough.'),
    h('div', { class: 'actions' }, setUp),
  ];
}

function whenOn(ctx, status, reload) {
  const left = Number(status.recovery_codes_left) || 0;
  const codesPlace = h('div', { 'aria-live': 'polite' });
  return [
    h('p', { 'data-testid': 'two-factor-state' }, 'On: signing in asks for a code from your authenticator app.'),
    h('p', { class: left <= 2 ? 'alert warning' : 'muted', 'data-testid': 'recovery-codes-left' },
      `${left} recovery code${left === 1 ? '' : 's'} left.`),
    passwordAction(ctx, {
      id: 'renew-codes', label: 'Make new recovery codes', busy: 'Making codes…',
      request: (password) => ctx.api('/api/auth/2fa/recovery-codes', { method: 'POST', body: { password } }),
      done: (result) => fill(codesPlace, recoveryCodes(result.recovery_codes, reload)),
    }),
    codesPlace,
    status.required ? h('p', { class: 'muted' }, 'Your role must use two-step sign-in, so it cannot be turned off.')
      : passwordAction(ctx, {
        id: 'totp-off', label: 'Turn off two-step sign-in', busy: 'Turning off…', kind: 'danger secondary',
        request: (password) => ctx.api('/api/auth/2fa/totp', { method: 'DELETE', body: { password } }),
        done: reload,
      }),
  ];
}

// A small form that asks for the password again before a change to how one signs in.
function passwordAction(ctx, { id, label, busy, kind = 'secondary', request, done }) {
  const alert = formAlert();
  const password = field({ id: `${id}-password`, name: 'password', label: 'Your password', type: 'password',
    autocomplete: 'current-password' });
  const submit = button(label, { type: 'submit', class: `button ${kind}`, 'data-testid': id });
  // For password managers: which account this password belongs to.
  const account = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: ctx.user.username,
    hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' });
  const form = h('form', { novalidate: true }, alert, account, password, h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, busy, async () => {
    clearFieldErrors({ password });
    alert.clear();
    if (!password.control.value) {
      setFieldError(password, 'Enter your password.');
      password.control.focus();
      return;
    }
    try {
      const result = await request(password.control.value);
      form.reset();
      done(result);
    } catch (error) {
      if (error.handled) return;
      if (error.code === ErrorCode.WrongPassword) password.control.value = '';
      showFormError(error, alert, { password });
    }
  });
  return form;
}
