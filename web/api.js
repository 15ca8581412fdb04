// The JSON API client: same-origin cookie session, X-CSRF-Token on every state-changing
// request, one retry after a stale CSRF token, and a single place that handles 401s.

import { ClientErrorCode, ErrorCode } from './error-codes.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TIMEOUT_MS = 20000;

let csrfToken = null;
let unauthorizedHandler = null;
// Bumped at every sign-in and sign-out: a 401 from a request started before the last
// change is stale and must not overwrite the reason already shown.
let epoch = 0;
let epochHandled = -1;
// GETs started before a view asks for them (the first screen's data, fetched while the
// session is being restored): path → the pending Response, for the first api(path).
const early = new Map();
const EARLY_KEPT_MS = 10000;

export class ApiError extends Error {
  constructor({ status, code, message, field, reason, retryAfter, body }) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || null;
    this.reason = reason || null;
    this.retryAfter = retryAfter || null;
    this.body = body;
    // Set when the error was already dealt with (a 401 sent the person to sign in).
    this.handled = false;
  }
}

export function setCsrfToken(token) {
  if (token) csrfToken = token;
}

export function clearCsrfToken() {
  csrfToken = null;
}

/** Called with the ApiError of the first 401 after a sign-in. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** A new sign-in (or sign-out) starts a new epoch. */
export function newEpoch() {
  epoch += 1;
  return epoch;
}

/** Starts the GET of `path` now; the next plain api(path) takes its answer. */
export function fetchEarly(path) {
  const response = send(path, 'GET', {});
  // Nobody may ask for it (a signed-out visit): that is not an error.
  response.catch(() => {});
  early.set(path, response);
  setTimeout(() => {
    if (early.get(path) === response) early.delete(path);
  }, EARLY_KEPT_MS);
}

/** Drops answers fetched early: they belong to a session that is no longer current. */
export function forgetEarly() {
  early.clear();
}

/**
 * The answer fetched early for this request, if there is one and it can stand for it: a
 * failure or a 401 is not used (the 401 predates the session the app restored), and the
 * request is sent again instead.
 */
async function takeEarly(path, method, options) {
  const plain = method === 'GET' && !options.query && !options.headers && !options.raw;
  if (!plain || options.auth === false || !early.has(path)) return null;
  const pending = early.get(path);
  early.delete(path);
  try {
    const response = await pending;
    return response.status === 401 ? null : response;
  } catch {
    return null;
  }
}

/**
 * api('/api/messages/inbox', {query: {page: 1}})
 * api('/api/mood', {method: 'POST', body: {...}})
 * options: method, body, query, headers, auth (default true: 401 → sign in),
 *          timeout, raw (return the Response, for downloads)
 */
export async function api(path, options = {}) {
  const started = epoch;
  const method = (options.method || 'GET').toUpperCase();
  let response;
  try {
    response = (await takeEarly(path, method, options)) || (await send(path, method, options));
    if (response.status === 403 && STATE_CHANGING.has(method)) {
      const body = await readBody(response.clone());
      if (body?.error?.code === ErrorCode.CsrfFailed) {
        await refreshCsrf();
        response = await send(path, method, options);
      }
    }
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    const timedOut = cause && cause.name === 'AbortError';
    throw new ApiError({
      status: 0,
      code: timedOut ? ClientErrorCode.Timeout : ClientErrorCode.Network,
      message: timedOut
        ? 'Healing Space is taking too long to answer. Please try again.'
        : 'We could not reach Healing Space. Please check your internet connection and try again.',
    });
  }
  if (response.ok && options.raw) return response;
  const body = await readBody(response);
  if (response.ok) {
    if (body && typeof body === 'object' && body.csrf_token) setCsrfToken(body.csrf_token);
    return body;
  }
  const error = toError(response, body);
  if (response.status === 401 && options.auth !== false) {
    if (started === epoch && epochHandled !== epoch) {
      epochHandled = epoch;
      csrfToken = null;
      if (unauthorizedHandler) unauthorizedHandler(error);
    }
    error.handled = true;
  }
  throw error;
}

async function send(path, method, options) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (STATE_CHANGING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout || TIMEOUT_MS);
  try {
    return await fetch(url, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function refreshCsrf() {
  const response = await send('/api/auth/me', 'GET', {});
  const body = await readBody(response);
  if (response.ok && body?.csrf_token) setCsrfToken(body.csrf_token);
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  try {
    if (type.includes('json')) return await response.json();
    const text = await response.text();
    return text ? { text } : null;
  } catch {
    return null;
  }
}

function toError(response, body) {
  const e = (body && body.error) || {};
  const retryAfter = Number.parseInt(response.headers.get('retry-after') || '', 10) || null;
  return new ApiError({
    status: response.status,
    code: e.code || `http_${response.status}`,
    message: e.message || defaultMessage(response.status),
    field: e.field,
    reason: e.reason,
    retryAfter,
    body,
  });
}

function defaultMessage(status) {
  if (status === 404) return 'We could not find that. It may have been removed.';
  if (status === 403) return 'This is not available to your account.';
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return 'Something went wrong. Please try again.';
}
