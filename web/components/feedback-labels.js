// Feedback categories and statuses, in words: for the person who sent it and for admins.

import { h } from './dom.js';

export const CATEGORIES = [
  ['bug', 'Something is not working'],
  ['feature', 'An idea or a request'],
  ['content', 'Wording or information'],
  ['other', 'Something else'],
];

/** status → [label, pill kind] */
export const STATUS = {
  new: ['New', 'info'],
  in_progress: ['Being looked at', 'warn'],
  resolved: ['Resolved', 'good'],
  wont_fix: ['Will not change', ''],
};

export function categoryLabel(value) {
  return (CATEGORIES.find(([v]) => v === value) || [value, value])[1];
}

export function statusPill(status) {
  const [label, kind] = STATUS[status] || [status || 'Unknown', ''];
  return h('span', { class: `pill ${kind}`, 'data-testid': 'feedback-status', 'data-status': status }, label);
}
