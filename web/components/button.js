// Buttons that can show they are working.

import { h } from './dom.js';

/**
 * A submit/action button that can show it is working without losing focus: it is marked
 * aria-disabled rather than disabled, because a disabled button drops keyboard focus.
 */
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
