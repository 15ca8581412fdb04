// Form fields with their labels, hints and errors; a form's message area; submitting.

import { h, append } from './dom.js';
import { describeError } from './status.js';

let idCounter = 0;
function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A labelled form control with room for a hint and an error.
 * options: {id, label, type, name, hint, required, autocomplete, value, multiline,
 *           options: [[value, label]], attrs}
 * Returns the wrapper; its `.control` is the input/select/textarea.
 */
export function field(options) {
  const id = options.id || uid('field');
  const describedBy = [];
  let hint = null;
  if (options.hint) {
    hint = h('p', { class: 'hint', id: `${id}-hint` }, options.hint);
    describedBy.push(hint.id);
  }
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const common = {
    id,
    name: options.name || id,
    required: options.required || false,
    autocomplete: options.autocomplete,
    'aria-describedby': describedBy.join(' ') || null,
    ...(options.attrs || {}),
  };
  const control = fieldControl(options, common);
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    hint,
    control,
    error,
  );
  wrapper.control = control;
  wrapper.error = error;
  return wrapper;
}

function fieldControl(options, common) {
  if (options.multiline) {
    return h('textarea', { ...common, rows: options.rows || 4, value: options.value || '' });
  }
  if (options.options) {
    const select = h(
      'select',
      common,
      options.options.map(([value, label]) => h('option', { value }, label)),
    );
    if (options.value !== undefined) select.value = options.value;
    return select;
  }
  return h('input', { ...common, type: options.type || 'text', value: options.value ?? '' });
}

/** Shows (or clears, with null) the error under a field built by `field`. */
export function setFieldError(wrapper, message) {
  const { control, error } = wrapper;
  const ids = (control.getAttribute('aria-describedby') || '')
    .split(' ')
    .filter((x) => x && x !== error.id);
  if (message) {
    error.textContent = message;
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    ids.push(error.id);
  } else {
    error.textContent = '';
    error.hidden = true;
    control.removeAttribute('aria-invalid');
  }
  if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
  else control.removeAttribute('aria-describedby');
}

export function clearFieldErrors(fields) {
  for (const wrapper of Object.values(fields)) setFieldError(wrapper, null);
}

/** A form-level message area; `show(kind, text)` and `clear()`. */
export function formAlert() {
  const el = h('div', { class: 'alert', 'data-testid': 'form-error', role: 'alert' });
  el.show = (kind, ...content) => {
    el.className = `alert ${kind}`;
    el.replaceChildren();
    append(el, content);
    el.dataset.kind = kind;
  };
  el.clear = () => {
    el.className = 'alert';
    el.replaceChildren();
  };
  return el;
}

/**
 * Shows an API error on a form: next to its field when the server named one we show,
 * otherwise in the form's alert area. Errors already handled (401) are left alone.
 */
export function showFormError(error, alertEl, fields = {}) {
  if (!error || error.handled) return;
  const wrapper = error.field && fields[error.field];
  if (wrapper) {
    setFieldError(wrapper, error.message);
    alertEl.clear();
    wrapper.control.focus();
  } else {
    alertEl.show('error', describeError(error));
  }
}

/**
 * Wires a form's submit: one submission at a time, the button shows it is working,
 * and `handler` runs with the event's form. Enter in a field submits as usual.
 */
export function onSubmit(form, submitButton, busyLabel, handler) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submitButton.isBusy && submitButton.isBusy()) return;
    submitButton.setBusy?.(true, busyLabel);
    try {
      await handler(event);
    } finally {
      submitButton.setBusy?.(false);
    }
  });
}
