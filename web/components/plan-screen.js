// The safety plan screen, for the patient (their own plan) and for the clinicians of their
// care team (the patient's plan, with "Reviewed with the patient"): the plan to read, then
// to edit, print, or look back through its versions.

import { h, fill } from './dom.js';
import { pageHead } from './page.js';
import { button } from './button.js';
import { loading, errorBox } from './status.js';
import { timeElement } from './format.js';
import { planSections, planStatus, hasEntries, nameOf } from './safety-plan.js';
import { planEditor } from './plan-editor.js';
import { planHistory } from './plan-history.js';

/**
 * options: {url (the plan's API address), clinician (true on the clinician's screen),
 *           title, back: [href, label], afterSave() (patients: refresh the device's copy)}
 */
export async function planScreen(ctx, options) {
  const head = pageHead(options.title);
  const status = h('div', { 'data-testid': 'plan-status' });
  const notice = h('div', {});
  const body = h('div', { class: 'plan-body' }, loading('Loading the safety plan…'));
  const actions = h('div', { class: 'actions plan-actions no-print' });
  const history = planHistory(ctx.api, `${options.url}/versions`);
  history.hidden = true;
  ctx.main.append(
    options.back ? h('p', { class: 'no-print' }, h('a', { href: options.back[0] }, options.back[1])) : null,
    head,
    h('p', { class: 'lede' }, options.clinician
      ? 'Written with the patient, in their words. They see every change you save here.'
      : 'Your plan for a difficult moment: work down the steps until you feel safer. Your care team can see and help with it.'),
    status,
    notice,
    actions,
    body,
    history,
  );
  let plan = null;

  const showPlan = () => {
    status.replaceChildren(planStatus(plan, { viewer: ctx.user }));
    fill(notice, offlineNotice(plan));
    body.replaceChildren(h('div', { class: 'panel plan-sheet', 'data-testid': 'safety-plan' },
      h('p', { class: 'print-only plan-print-title' }, `Safety plan of ${nameOf(plan.patient, '')}`),
      !hasEntries(plan) ? h('p', { class: 'empty', 'data-testid': 'plan-empty' }, options.clinician
        ? 'Nothing has been written yet. You can start the plan together with the patient.'
        : 'You have not written a safety plan yet. Start with the warning signs you notice in yourself.') : null,
      planSections(plan)));
    actions.replaceChildren(...actionButtons());
  };

  const actionButtons = () => {
    const list = [];
    if (!plan.offline_copy) {
      const edit = button(hasEntries(plan) ? 'Edit the plan' : 'Write the plan', { 'data-testid': 'plan-edit' });
      edit.addEventListener('click', startEditing);
      list.push(edit);
    }
    // Only a written plan can be gone through with the patient.
    if (options.clinician && plan.version > 0) list.push(reviewButton());
    const print = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'plan-print' }, 'Print');
    print.addEventListener('click', () => window.print());
    list.push(print);
    if (!plan.offline_copy) {
      const versions = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'plan-show-history', 'aria-expanded': String(!history.hidden) }, 'Version history');
      versions.addEventListener('click', () => toggleHistory(versions));
      list.push(versions);
    }
    return list;
  };

  const toggleHistory = (toggle) => {
    history.hidden = !history.hidden;
    toggle.setAttribute('aria-expanded', String(!history.hidden));
    if (!history.hidden) {
      history.load();
      history.querySelector('h2').focus();
    }
  };

  const reviewButton = () => {
    const review = button('Reviewed with the patient', { class: 'button secondary', 'data-testid': 'plan-review' });
    review.addEventListener('click', async () => {
      if (review.isBusy()) return;
      review.setBusy(true, 'Saving…');
      try {
        plan = await ctx.api(`${options.url}/review`, { method: 'POST' });
        ctx.notify('Recorded: reviewed with the patient today.');
        showPlan();
        actions.querySelector('[data-testid=plan-review]')?.focus();
      } catch (error) {
        review.setBusy(false);
        if (!error.handled) notice.replaceChildren(errorBox(error));
      }
    });
    return review;
  };

  const startEditing = () => {
    actions.replaceChildren();
    const editor = planEditor({
      plan,
      viewer: ctx.user,
      save: (lists, etag) => ctx.api(options.url, {
        method: 'PUT',
        body: lists,
        headers: etag ? { 'If-Match': etag } : {},
      }),
      current: () => ctx.api(options.url),
      onSaved: (saved) => {
        plan = saved;
        ctx.notify('Safety plan saved.');
        showPlan();
        if (!history.hidden) history.load();
        head.querySelector('h1').focus();
        options.afterSave?.();
      },
      onCancel: () => {
        showPlan();
        actions.querySelector('[data-testid=plan-edit]')?.focus();
      },
    });
    body.replaceChildren(h('div', { class: 'panel' }, editor));
    editor.focusFirst();
  };

  const load = async () => {
    body.replaceChildren(loading('Loading the safety plan…'));
    try {
      plan = await ctx.api(options.url);
    } catch (error) {
      if (!error.handled) body.replaceChildren(errorBox(error, load));
      return false;
    }
    if (!ctx.isCurrent()) return false;
    if (options.clinician) {
      const name = nameOf(plan.patient, '');
      head.querySelector('h1').textContent = `${name}’s safety plan`;
      ctx.setTitle(`${name}’s safety plan`);
    }
    showPlan();
    return true;
  };
  if ((await load()) && ctx.query.get('edit') === '1' && !plan.offline_copy) startEditing();
}

function offlineNotice(plan) {
  if (!plan.offline_copy) return null;
  return h('div', { class: 'alert info', role: 'status', 'data-testid': 'plan-offline' },
    h('p', {}, 'You are offline. This is the copy of your plan saved on this device',
      plan.updated_at ? [' (last changed ', timeElement(plan.updated_at), ')'] : null,
      '. You can change it when you are back online.'));
}
