// The top of every screen.

import { h } from './dom.js';

/** The page heading, focusable so route changes can move focus to it. */
export function pageHead(title, ...extra) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, title), ...extra);
}
