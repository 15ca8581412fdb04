// The way to "Contact support" (/support), for the screens that offer it.

import { h } from './dom.js';

export function contactSupportLink() {
  return h('a', { class: 'button secondary', href: '/support', 'data-testid': 'contact-support' }, 'Contact support');
}
