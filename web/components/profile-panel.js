// Settings, "Name and email": the display name and the email address (PATCH /api/me), with
// whether the address is confirmed, since only a confirmed address can receive a reset link.

import { h, fill } from './dom.js';
import { button } from './button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';

/**
 * The address's state: none, confirmed, unconfirmed (a link was mailed) or unmailed (this
 * server sends no mail). `mailed` is the last save's verification_mailed, or null.
 */
function emailState(user, mailed) {
  if (!user.email) return 'none';
  if (user.email_verified) return 'confirmed';
  return mailed === false ? 'unmailed' : 'unconfirmed';
}

const EMAIL_WORDS = {
  none: ['No address', '', 'Add one so that you can reset your password by email if you forget it.'],
  confirmed: ['Confirmed', 'good', 'A reset link can be mailed here if you forget your password.'],
  unconfirmed: ['Not confirmed yet', 'warn', 'We mailed you a link: open it to confirm this address.'],
  unmailed: ['Not confirmed yet', 'warn', 'This server sends no mail, so the address cannot be confirmed yet.'],
};

function emailStatus(user, mailed) {
  const state = emailState(user, mailed);
  const [label, kind, text] = EMAIL_WORDS[state];
  return h('p', { 'data-testid': 'email-status', 'data-state': state, id: 'profile-email-status' },
    h('span', { class: `pill ${kind}` }, label), ' ', text);
}

/** The section; `session.updateUser` keeps the app's copy of the person current. */
export function profilePanel(ctx) {
  let user = { ...ctx.user };
  const alert = formAlert();
  const name = field({ id: 'profile-name', name: 'display_name', label: 'Your name', autocomplete: 'name',
    value: user.display_name || '', hint: 'How your care team and others see you.' });
  const email = field({ id: 'profile-email', name: 'email', label: 'Email address', type: 'email',
    autocomplete: 'email', value: user.email || '',
    hint: 'Optional. Used only for links to confirm it and to reset your password.' });
  email.control.setAttribute('aria-describedby',
    `${email.control.getAttribute('aria-describedby')} profile-email-status`);
  const status = h('div', {}, emailStatus(user, null));
  const save = button('Save', { type: 'submit', 'data-testid': 'profile-save' });
  const remove = button('Remove address', { class: 'button secondary', 'data-testid': 'email-remove' });
  const resend = button('Send the link again', { class: 'button secondary', 'data-testid': 'email-resend' });
  const fields = { display_name: name, email };
  const form = h('form', { novalidate: true, 'data-testid': 'profile' }, alert, name, email, status,
    h('div', { class: 'actions' }, save, resend, remove));

  const show = (changed, mailed) => {
    user = { ...user, ...changed };
    ctx.session.updateUser(changed);
    name.control.value = user.display_name || '';
    email.control.value = user.email || '';
    fill(status, emailStatus(user, mailed));
    remove.hidden = !user.email;
    resend.hidden = emailState(user, mailed) !== 'unconfirmed';
  };
  const send = async (body, done) => {
    clearFieldErrors(fields);
    alert.clear();
    try {
      const result = await ctx.api('/api/me', { method: 'PATCH', body });
      show(result.user, result.verification_mailed);
      alert.show('success', done(result));
    } catch (error) {
      showFormError(error, alert, fields);
    }
  };

  onSubmit(form, save, 'Saving…', () => {
    const body = { display_name: name.control.value.trim() };
    const address = email.control.value.trim();
    if (address !== (user.email || '')) body.email = address || null;
    return send(body, (result) => (result.verification_mailed
      ? `Saved. We mailed a link to ${result.user.email}: open it to confirm the address.`
      : 'Saved.'));
  });
  remove.addEventListener('click', async () => {
    if (remove.isBusy()) return;
    remove.setBusy(true, 'Removing…');
    try {
      await send({ email: null }, () => 'Your email address was removed.');
    } finally {
      remove.setBusy(false);
    }
    save.focus();
  });
  remove.hidden = !user.email;
  resend.hidden = emailState(user, null) !== 'unconfirmed';
  // A link that expired or went astray: a new one, at most three waiting at once.
  resend.addEventListener('click', async () => {
    if (resend.isBusy()) return;
    alert.clear();
    resend.setBusy(true, 'Sending…');
    try {
      const sent = await ctx.api('/api/me/email/resend', { method: 'POST', body: {} });
      alert.show('success', `We mailed a new link to ${sent.email}. It works for 48 hours.`);
    } catch (error) {
      showFormError(error, alert, fields);
    } finally {
      resend.setBusy(false);
    }
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Name and email'),
    form);
}
