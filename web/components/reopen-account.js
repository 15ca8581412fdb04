// Administration, "Reopen": for an account its owner closed (status "closed"), during the
// grace period. After it the server answers 409 `account_erased`, shown in the dialog.

import { h } from './dom.js';
import { button } from './button.js';
import { openDialog } from './dialog.js';

/** The action button for person `u`; `reopened(user)` runs once it is open again. */
export function reopenAction(ctx, u, reopened) {
  const b = button('Reopen', { class: 'button small', 'data-testid': 'reopen-user' });
  b.addEventListener('click', () => {
    openDialog({
      title: `Reopen ${u.username}’s account?`,
      testid: 'reopen-dialog',
      content: [
        h('p', {}, `${u.username} closed this account. Reopen it only if they asked you to: `,
          'they can then sign in again with their password, and their care team sees their name again.'),
      ],
      confirmLabel: 'Reopen account',
      busyLabel: 'Reopening…',
      opener: b,
      onConfirm: async () => {
        const result = await ctx.api(`/api/admin/users/${encodeURIComponent(u.username)}/reopen`, { method: 'POST' });
        reopened(result.user);
      },
    });
  });
  return b;
}
