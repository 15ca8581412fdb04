// Small DOM helpers. Everything is built with createElement and textContent, never
// innerHTML, so text from the server can never become markup.

/** h('p', {class: 'x', 'data-testid': 'y', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const late = {};
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'value' || key === 'checked' || key === 'selected') late[key] = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  for (const [key, value] of Object.entries(late)) el[key] = value;
  return el;
}

/** Replaces an element's children, skipping null/false like `h` does. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (presentation attributes are allowed by the CSP). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') el.textContent = value;
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
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
  let control;
  if (options.multiline) {
    control = h('textarea', { ...common, rows: options.rows || 4, value: options.value || '' });
  } else if (options.options) {
    control = h(
      'select',
      common,
      options.options.map(([value, label]) => h('option', { value }, label)),
    );
    if (options.value !== undefined) control.value = options.value;
  } else {
    control = h('input', { ...common, type: options.type || 'text', value: options.value ?? '' });
  }
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

/** A submit/action button that can show it is working without losing focus. */
export function button(label, attrs = {}) {
  const b = h('button', { type: 'button', class: 'button', ...attrs }, label);
  b.setBusy = (busy, busyLabel) => {
    if (busy) {
      b.dataset.label = b.textContent;
      b.setAttribute('aria-disabled', 'true');
      b.setAttribute('aria-busy', 'true');
      if (busyLabel) b.textContent = busyLabel;
    } else {
      b.removeAttribute('aria-disabled');
      b.removeAttribute('aria-busy');
      if (b.dataset.label) b.textContent = b.dataset.label;
    }
  };
  b.isBusy = () => b.getAttribute('aria-disabled') === 'true';
  return b;
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status', 'data-testid': 'loading' }, text);
}

/**
 * What went wrong and what to do, with a "Try again" button when a retry is possible.
 */
export function errorBox(error, retry) {
  const box = h(
    'div',
    { class: 'alert error', role: 'alert', 'data-testid': 'error' },
    h('p', { class: 'alert-title' }, 'Something went wrong'),
    h('p', {}, describeError(error)),
  );
  if (retry) {
    box.append(
      h('p', {}, h('button', { type: 'button', class: 'button secondary small', onclick: retry }, 'Try again')),
    );
  }
  return box;
}

export function describeError(error) {
  if (!error) return 'Something went wrong. Please try again.';
  if (error.status === 0) {
    return 'We could not reach Healing Space. Please check your internet connection and try again.';
  }
  if (error.status === 429) {
    return `${error.message || 'Too many attempts.'} ${waitText(error.retryAfter)}`.trim();
  }
  if (error.status >= 500) {
    return 'Something went wrong on our side. Please try again in a moment. If it keeps happening, let your care team know.';
  }
  if (error.status === 404 && error.code === 'not_found' && !error.message) {
    return 'We could not find that. It may have been removed.';
  }
  return error.message || 'Something went wrong. Please try again.';
}

export function waitText(seconds) {
  if (!seconds) return 'Please wait a little and try again.';
  if (seconds < 90) return `Please wait ${seconds} seconds and try again.`;
  const minutes = Math.ceil(seconds / 60);
  return `Please wait ${minutes} minutes and try again.`;
}

let toastTimer = null;
export function toast(text) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.textContent = '';
  }, 5000);
}

// Dates and times, in the person's own locale and time zone.

export function parseDate(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function formatWhen(value) {
  const d = parseDate(value);
  if (!d) return '';
  const now = new Date();
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (sameDay(d, now)) return `Today ${time}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return `Yesterday ${time}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  const date = d.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
  });
  return `${date}, ${time}`;
}

export function formatDate(value) {
  const d = parseDate(value);
  if (!d) return '';
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' });
}

export function timeElement(value, format = formatWhen) {
  const d = parseDate(value);
  if (!d) return h('span', {}, '');
  return h('time', { datetime: d.toISOString(), title: d.toLocaleString() }, format(value));
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

/** The page heading, focusable so route changes can move focus to it. */
export function pageHead(title, ...extra) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, title), ...extra);
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

export function clearFieldErrors(fields) {
  for (const wrapper of Object.values(fields)) setFieldError(wrapper, null);
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

// Whether the person has used the page lately: background refreshes only run then, so an
// idle screen does not keep a session alive past its idle timeout.
let lastInteraction = Date.now();
for (const type of ['keydown', 'pointerdown', 'input']) {
  document.addEventListener(type, () => {
    lastInteraction = Date.now();
  }, { passive: true, capture: true });
}

export function recentlyActive(withinMs = 5 * 60 * 1000) {
  return document.visibilityState === 'visible' && Date.now() - lastInteraction < withinMs;
}

/** A random key for Idempotency-Key headers (crypto.randomUUID needs a secure context). */
export function randomKey() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
