// Administration, "Create a reset link": for someone without email who forgot their
// password. The administrator never sees or sets the password; they get a single-use link
// to hand to that person, shown once here.

import { h, fill } from './dom.js';
import { button } from './button.js';
import { openDialog } from './dialog.js';
import { timeElement } from './format.js';

/** The action button for person `u`; the link appears in `place` (inside their row). */
export function resetLinkAction(ctx, u, place) {
  const b = button('Create a reset link', { class: 'button small secondary', 'data-testid': 'create-reset-link' });
  b.addEventListener('click', () => {
    const dialog = {
      title: `Create a reset link for ${u.username}?`,
      testid: 'reset-link-dialog',
      content: [
        h('p', {}, `${u.username} can use the link once, within 24 hours, to choose a new password. `,
          'Using it signs them out everywhere.'),
        h('p', {}, 'Give it only to them, in person or through a channel you know is theirs. ',
          'You will see the link only once.'),
      ],
      confirmLabel: 'Create link',
      busyLabel: 'Creating…',
      opener: b,
      onConfirm: async () => {
        const link = await ctx.api(`/api/admin/users/${encodeURIComponent(u.username)}/reset-link`, { method: 'POST' });
        fill(place, shownOnce(u, link));
        // When the dialog closes, focus goes to the link rather than back to the button.
        dialog.opener = place.querySelector('input');
      },
    };
    openDialog(dialog);
  });
  return b;
}

function shownOnce(u, link) {
  const id = `reset-url-${u.username.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const url = h('input', { id, type: 'text', readonly: true, value: link.url, 'data-testid': 'reset-link-url',
    class: 'reset-url', autocapitalize: 'none', spellcheck: 'false' });
  const copied = h('span', { role: 'status', class: 'muted', 'data-testid': 'reset-link-copied' });
  const copy = button('Copy', { class: 'button small', 'data-testid': 'reset-link-copy' });
  copy.addEventListener('click', async () => {
    fill(copied, (await copyText(url)) ? 'Copied.' : 'Select the link and copy it yourself.');
  });
  url.addEventListener('focus', () => url.select());
  return h('div', { class: 'alert info', 'data-testid': 'reset-link' },
    h('p', { class: 'alert-title' }, `Reset link for ${u.username}`),
    h('label', { for: id }, 'Link (shown only this once)'),
    h('div', { class: 'actions' }, url, copy, copied),
    h('p', {}, 'It works once, until ', timeElement(link.expires_at), '. ',
      `Give it only to ${u.username}: whoever opens it can set their password.`));
}

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    // The older way, for browsers that refuse the clipboard API here.
    return document.execCommand('copy');
  }
}
