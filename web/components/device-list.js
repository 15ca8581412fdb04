// Settings, "Where you are signed in": each device with its browser and system, when it
// signed in and was last active, the network it came from (shortened by the server), and
// a name its owner may give it; signing out one device or every other one.

import { h } from './dom.js';
import { button } from './button.js';
import { field } from './form.js';
import { timeElement, plural } from './format.js';
import { describeError } from './status.js';

/** "Name this device": a small form under the row, hidden until asked for. */
function nameForm(ctx, session, alert, reload) {
  const id = `device-name-${session.id}`;
  const input = field({ id, name: 'name', label: 'A name for this device', value: session.name || '',
    hint: 'Like “Kitchen laptop”. Leave empty to remove the name.' });
  const save = button('Save name', { type: 'submit', class: 'button small', 'data-testid': 'device-name-save' });
  const form = h('form', { class: 'device-name', hidden: true, 'data-testid': 'device-name-form' }, input, save);
  const toggle = button(session.name ? 'Rename' : 'Name it', { class: 'button small secondary', 'data-testid': 'device-rename' });
  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    if (!form.hidden) input.control.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (save.isBusy()) return;
    save.setBusy(true, 'Saving…');
    try {
      const name = input.control.value.trim();
      await ctx.api(`/api/auth/sessions/${encodeURIComponent(session.id)}`, { method: 'PATCH', body: { name: name || null } });
      ctx.notify(name ? 'The device is named.' : 'The name was removed.');
      reload();
    } catch (error) {
      save.setBusy(false);
      if (!error.handled) alert.show('error', describeError(error));
    }
  });
  return { toggle, form };
}

export function deviceList(ctx, sessions, alert, reload) {
  const others = sessions.filter((s) => !s.current);
  const list = h(
    'ul',
    { class: 'rows' },
    sessions.map((s) => {
      const end = button(s.current ? 'Sign out here' : 'Sign out', {
        class: 'button small secondary',
        'data-testid': 'device-signout',
      });
      end.addEventListener('click', async () => {
        if (end.isBusy()) return;
        if (s.current) {
          ctx.session.signOut();
          return;
        }
        end.setBusy(true, 'Signing out…');
        try {
          await ctx.api(`/api/auth/sessions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
          ctx.notify('That device was signed out.');
          reload();
        } catch (error) {
          end.setBusy(false);
          if (!error.handled) alert.show('error', describeError(error));
        }
      });
      const naming = nameForm(ctx, s, alert, reload);
      return h(
        'li',
        { 'data-testid': 'device', 'data-current': String(!!s.current), 'data-session-id': s.id },
        h('div', { class: 'row-main' },
          h('span', { class: 'row-title', 'data-testid': 'device-title' }, s.name || s.client || 'Unknown device'),
          s.current ? h('span', { class: 'pill good' }, 'This device') : null),
        h('div', { class: 'row-meta' },
          s.name ? `${s.client || 'Unknown device'} · ` : '',
          'Signed in ', timeElement(s.created_at), ' · last active ', timeElement(s.last_seen_at),
          s.address ? ` · from ${s.address}` : ''),
        h('div', { class: 'row-actions' }, naming.toggle, end),
        naming.form,
      );
    }),
  );
  const everywhere = button('Sign out everywhere else', { class: 'button danger secondary', 'data-testid': 'signout-others' });
  everywhere.addEventListener('click', async () => {
    if (everywhere.isBusy()) return;
    everywhere.setBusy(true, 'Signing out other devices…');
    alert.clear();
    try {
      const result = await ctx.api('/api/auth/sessions/revoke-others', { method: 'POST' });
      const ended = Number(result.ended) || 0;
      alert.show('success', ended
        ? `Done. ${plural(ended, 'other device was', 'other devices were')} signed out.`
        : 'Done. You were not signed in anywhere else.');
      reload();
    } catch (error) {
      everywhere.setBusy(false);
      if (!error.handled) alert.show('error', describeError(error));
    }
  });
  return h('div', {},
    list,
    others.length
      ? h('div', { class: 'actions' }, everywhere)
      : h('p', { class: 'muted small', 'data-testid': 'only-device' }, 'You are only signed in on this device.'));
}

