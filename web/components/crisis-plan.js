// The patient's safety plan at the top of the "Need help now?" panel: a way to the whole
// plan, then the plan itself, compact. Offline it is the copy saved on this device; when
// the app could not even check who is signed in (it opened offline), that copy if there
// is one. Clinicians, administrators and signed-out visitors get nothing here.

import { h, fill } from './dom.js';
import { planSections, hasEntries } from './safety-plan.js';

/**
 * role: the signed-in person's role, or null (signed out, or not known: opened offline).
 * load(): the plan from the API (the service worker answers offline with its copy).
 * saved(): the copy saved on this device, or null (when the API cannot be reached).
 * closePanel(): closes the panel (before following the link to the full plan).
 * gotPlan(plan): told of every plan shown (its crisis resources are the server's).
 */
export function crisisPlan({ role, load, saved, closePanel, gotPlan }) {
  if (role && role !== 'patient') return null;
  const area = h('div', { class: 'crisis-plan', 'data-testid': 'crisis-plan', hidden: !role });
  const link = h('a', { class: 'button', href: '/safety-plan', 'data-testid': 'crisis-plan-link' }, 'My safety plan');
  link.hidden = !role;
  link.addEventListener('click', () => closePanel());
  const body = h('div', {}, role ? h('p', { class: 'muted small', 'data-testid': 'loading' }, 'Opening your safety plan…') : null);
  area.append(h('p', {}, link), body);

  const show = (plan) => {
    if (!plan) return;
    area.hidden = false;
    gotPlan(plan);
    fill(body,
      plan.offline_copy ? h('p', { class: 'muted small', 'data-testid': 'crisis-plan-offline' }, 'You are offline: this is the copy saved on this device.') : null,
      hasEntries(plan)
        ? planSections(plan, { compact: true, level: 3, crisis: false, idPrefix: 'crisis-plan' })
        : h('p', { class: 'muted' }, 'You have not written a safety plan yet. It helps to make one with your care team.'),
    );
  };
  const fallback = async () => {
    const plan = await saved();
    if (plan) show(plan);
    else fill(body, role ? h('p', { class: 'muted small' }, 'Your safety plan could not be opened right now.') : null);
  };
  if (role) load().then(show, fallback);
  else fallback();
  return area;
}
