// A modal dialog (<dialog>) with a form: a title, content, Cancel and a confirm button.
// Escape or Cancel closes it; focus goes into it and back to what opened it afterwards.

import { h } from './dom.js';
import { button } from './button.js';
import { formAlert, onSubmit, showFormError } from './form.js';

let counter = 0;

/**
 * openDialog({title, testid, content: [nodes], confirmLabel, busyLabel, danger,
 *             onConfirm(alert) → resolves when done (throw an ApiError to show it), opener})
 */
export function openDialog(options) {
  counter += 1;
  const titleId = `dialog-title-${counter}`;
  const alert = formAlert();
  const confirm = button(options.confirmLabel, { type: 'submit', 'data-testid': 'dialog-confirm' });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'dialog-cancel' }, 'Cancel');
  const form = h('form', { novalidate: true },
    h('h2', { id: titleId }, options.title),
    alert,
    options.content || [],
    h('div', { class: 'dialog-actions' }, cancel, confirm));
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': titleId, 'data-testid': options.testid || 'dialog' }, form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    // The opener may be gone (the list was redrawn): then the page's heading.
    if (options.opener && options.opener.isConnected) options.opener.focus();
    else document.querySelector('#main h1')?.focus();
  });
  onSubmit(form, confirm, options.busyLabel || 'Working…', async () => {
    alert.clear();
    try {
      const keepOpen = await options.onConfirm(alert);
      if (keepOpen !== false) dialog.close();
    } catch (error) {
      showFormError(error, alert);
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = form.querySelector('input, textarea, select');
  (first || confirm).focus();
  return dialog;
}
