// Crisis resources: who to call, shown in the "Need help now?" panel and on Home.

import { h } from './dom.js';

// Shown until (and unless) the server sends its own list, so help is never a request away.
const DEFAULT_CRISIS = {
  message: 'If you are in danger or might harm yourself, call your local emergency number now.',
  resources: [
    { name: 'Emergency services (UK)', contact: '999', description: 'If your life or someone else’s is at risk.' },
    { name: 'NHS 111', contact: '111', description: 'Urgent mental health help, day or night (choose the mental health option).' },
    { name: 'Samaritans', contact: '116 123', description: 'Free, any time, to talk about anything that is troubling you.' },
  ],
};

/** A tel: link for something that looks like a phone number, else null (shown as text). */
function telHref(contact) {
  const digits = String(contact || '').replace(/[^\d+]/g, '');
  return digits.length >= 3 && /^[+\d][\d\s()-]*$/.test(String(contact).trim()) ? `tel:${digits}` : null;
}

export function crisisContent(crisis) {
  const data = crisis && crisis.resources?.length ? crisis : DEFAULT_CRISIS;
  return [
    h('p', { class: 'crisis-message' }, data.message || DEFAULT_CRISIS.message),
    h('ul', { class: 'crisis-list' }, data.resources.map(resourceItem)),
  ];
}

function resourceItem(resource) {
  const href = telHref(resource.contact);
  return h(
    'li',
    {},
    h('div', { class: 'row-title' }, resource.name),
    h('div', { class: 'crisis-contact' }, href ? h('a', { href }, resource.contact) : resource.contact),
    resource.description ? h('div', { class: 'muted small' }, resource.description) : null,
  );
}
