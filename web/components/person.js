// How a person is named wherever a display name could fool someone (conversations,
// care-team requests, recipients, administration): the name, their username and a badge
// with their role. The role comes from the server, never from the name, so a patient
// who calls themselves "Support" still shows as a patient.

import { h } from './dom.js';

export const ROLE_LABELS = { patient: 'Patient', clinician: 'Clinician', admin: 'Administrator' };

export function roleLabel(role) {
  return ROLE_LABELS[role] || role || '';
}

/** The role as a badge; nothing when the role is unknown. */
export function roleBadge(role) {
  if (!role) return null;
  return h('span', { class: `role-badge role-${role}`, 'data-testid': 'role-badge', 'data-role': role }, roleLabel(role));
}

/**
 * Name, @username and role badge. The name is in <bdi> so right-to-left text in it cannot
 * reorder the username or badge beside it.
 */
export function personLabel(person, fallback = 'Someone') {
  const p = person || {};
  return h('span', { class: 'person', 'data-testid': 'person', 'data-username': p.username || null },
    h('bdi', { class: 'person-name' }, p.display_name || p.username || fallback),
    p.username ? [' ', h('span', { class: 'person-username', 'data-testid': 'person-username' }, `@${p.username}`)] : null,
    p.role ? [' ', roleBadge(p.role)] : null);
}

/** The same as plain text, for places that hold no markup (a select's options, titles). */
export function personText(person, fallback = 'Someone') {
  const p = person || {};
  const name = p.display_name || p.username || fallback;
  const details = [p.username ? `@${p.username}` : '', roleLabel(p.role)].filter(Boolean).join(', ');
  // A left-to-right mark after the name keeps right-to-left text in it from pulling the
  // brackets after it along. (Not an isolate around it: the text must start with the
  // name, for a list's type-to-select.)
  return details ? `${name}\u200E (${details})` : name;
}
