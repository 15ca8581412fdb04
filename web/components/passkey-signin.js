// The sign-in screen's "Sign in with a passkey": no username or password; the browser
// asks which passkey, and the answer is the same as a password sign-in's. Shown only
// where the browser has passkeys.

import { h } from './dom.js';
import { button } from './button.js';
import { describeError } from './status.js';
import { browserRefusal, passkeysSupported, signInWithPasskey } from './webauthn.js';
import { ErrorCode } from '../error-codes.js';

/** The button and its words, or null without passkeys; errors go to the form's `alert`. */
export function passkeySignIn(ctx, alert) {
  if (!passkeysSupported()) return null;
  const b = button('Sign in with a passkey', { class: 'button secondary', 'data-testid': 'passkey-signin' });
  b.addEventListener('click', async () => {
    if (b.isBusy()) return;
    b.setBusy(true, 'Waiting for your passkey…');
    alert.clear();
    try {
      const body = await signInWithPasskey(ctx.api);
      await ctx.session.signedIn(body);
    } catch (error) {
      alert.show('error', refusal(error));
    } finally {
      b.setBusy(false);
    }
  });
  return h('div', { class: 'passkey-signin' },
    h('p', { class: 'muted' }, 'Or, if you added a passkey in Settings:'),
    h('div', { class: 'actions' }, b));
}

function refusal(error) {
  const words = browserRefusal(error);
  if (words) return words;
  if (error.code === ErrorCode.PasskeyCeremonyExpired) {
    return 'That took too long. Please choose “Sign in with a passkey” again.';
  }
  return describeError(error);
}
