// Dates, times and counts as text, in the person's own locale and time zone.

import { h } from './dom.js';

export function parseDate(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

// Each formatter is made once and reused: making one costs more than using it.
const formatters = new Map();
// What toLocaleString() and toLocaleDateString() show by default.
const MOMENT = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };
const NUMERIC_DATE = { year: 'numeric', month: 'numeric', day: 'numeric' };
const TIME = { hour: '2-digit', minute: '2-digit' };

/** An Intl.DateTimeFormat in the person's locale, made once for each set of options. */
export function formatter(options) {
  const key = JSON.stringify(options);
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(undefined, options));
  return formatters.get(key);
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function formatWhen(value) {
  const d = parseDate(value);
  if (!d) return '';
  const now = new Date();
  const time = formatter(TIME).format(d);
  if (sameDay(d, now)) return `Today ${time}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return `Yesterday ${time}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  const date = sameYear
    ? formatter({ day: 'numeric', month: 'short' }).format(d)
    : formatter({ day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  return `${date}, ${time}`;
}

export function formatDate(value) {
  const d = parseDate(value);
  if (!d) return '';
  return formatter({ day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

/** A <time> with the exact moment for machines and a hover title, the friendly text shown. */
export function timeElement(value, format = formatWhen) {
  const d = parseDate(value);
  if (!d) return h('span', {}, '');
  return h('time', { datetime: d.toISOString(), title: formatter(MOMENT).format(d) }, format(value));
}

/** The date alone, as toLocaleDateString() gives it. */
export function formatNumericDate(value) {
  const d = parseDate(value);
  return d ? formatter(NUMERIC_DATE).format(d) : '';
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}
