// Lists of rows (people, check-ins, feedback…), or a short text when there are none.

import { h } from './dom.js';

/**
 * rows(items, renderItem, {empty: 'No entries.', attrs, emptyAttrs})
 * attrs go on the <ul class="rows">, emptyAttrs on the <p class="empty">.
 */
export function rows(items, renderItem, { empty, attrs = {}, emptyAttrs = {} } = {}) {
  if (!items.length) return h('p', { class: 'empty', ...emptyAttrs }, empty);
  return h('ul', { class: 'rows', ...attrs }, items.map(renderItem));
}
