// Settings, "Passkeys": signing in with a fingerprint, face or screen lock instead of a
// password. My passkeys (name, when added, when last used), adding one under a name (the
// browser makes it), and removing one after asking.

import { h } from './dom.js';
import { button } from './button.js';
import { openDialog } from './dialog.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors } from './form.js';
import { timeElement } from './format.js';
import { loading, errorBox } from './status.js';
import { addPasskey, browserRefusal, passkeysSupported } from './webauthn.js';

/** The section; it loads the list itself. */
export function passkeysPanel(ctx) {
  const alert = formAlert();
  const list = h('div', {}, loading('Loading your passkeys…'));
  const reload = async () => {
    let passkeys;
    try {
      passkeys = (await ctx.api('/api/auth/passkeys')).passkeys || [];
    } catch (error) {
      if (!error.handled) list.replaceChildren(errorBox(error, reload));
      return;
    }
    list.replaceChildren(passkeyList(ctx, passkeys, reload));
  };
  const section = h('section', { class: 'panel', 'aria-labelledby': 'passkeys-title', 'data-testid': 'passkeys' },
    h('h2', { id: 'passkeys-title' }, 'Passkeys'),
    h('p', { class: 'muted' }, 'A passkey lets you sign in with your fingerprint, face or screen lock instead of ',
      'your password. It stays on your device, and it only works for Healing Space.'),
    alert,
    list,
    passkeysSupported()
      ? addForm(ctx, alert, reload)
      : h('p', { class: 'muted', 'data-testid': 'passkeys-unsupported' }, 'This browser cannot make passkeys.'));
  reload();
  return section;
}

function addForm(ctx, alert, reload) {
  const name = field({ id: 'passkey-name', name: 'name', label: 'A name for the new passkey (optional)',
    hint: 'Like “My phone”. If you leave it empty, we use this browser’s name.', attrs: { maxlength: '60' } });
  const submit = button('Add a passkey', { type: 'submit', 'data-testid': 'passkey-add' });
  const form = h('form', { novalidate: true, class: 'passkey-add', 'data-testid': 'passkey-add-form' }, name,
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, 'Waiting for your device…', async () => {
    clearFieldErrors({ name });
    alert.clear();
    try {
      const added = await addPasskey(ctx.api, name.control.value.trim());
      form.reset();
      alert.show('success', `The passkey “${added.name}” was added. Next time, choose “Sign in with a passkey”.`);
      reload();
    } catch (error) {
      const refusal = browserRefusal(error);
      if (refusal) alert.show('error', refusal);
      else showFormError(error, alert, { name });
    }
  });
  return form;
}

function passkeyList(ctx, passkeys, reload) {
  if (!passkeys.length) {
    return h('p', { class: 'muted', 'data-testid': 'passkeys-none' }, 'You have no passkeys yet.');
  }
  return h('ul', { class: 'rows' }, passkeys.map((passkey) => {
    const remove = button('Remove', { class: 'button small danger secondary', 'data-testid': 'passkey-remove' });
    remove.addEventListener('click', () => confirmRemoval(ctx, passkey, remove, reload));
    return h('li', { 'data-testid': 'passkey', 'data-passkey-id': String(passkey.id) },
      h('div', { class: 'row-main' }, h('span', { class: 'row-title', 'data-testid': 'passkey-name' }, passkey.name)),
      h('div', { class: 'row-meta' },
        'Added ', timeElement(passkey.created_at), ' · ',
        passkey.last_used_at ? ['last used ', timeElement(passkey.last_used_at)] : 'not used yet'),
      h('div', { class: 'row-actions' }, remove));
  }));
}

function confirmRemoval(ctx, passkey, opener, reload) {
  openDialog({
    title: 'Remove this passkey?',
    testid: 'passkey-remove-dialog',
    content: [
      h('p', {}, `You will no longer be able to sign in with “${passkey.name}”. `,
        'Your device may still offer it: you can delete it there too.'),
    ],
    confirmLabel: 'Remove passkey',
    busyLabel: 'Removing…',
    opener,
    onConfirm: async () => {
      await ctx.api(`/api/auth/passkeys/${encodeURIComponent(passkey.id)}`, { method: 'DELETE' });
      ctx.notify('The passkey was removed.');
      reload();
    },
  });
}
