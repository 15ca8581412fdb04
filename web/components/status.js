// Loading and error states: what is happening, and when something failed, what to do.

import { h } from './dom.js';
import { ErrorCode } from '../error-codes.js';

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
  if (error.status === 404 && error.code === ErrorCode.NotFound && !error.message) {
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
