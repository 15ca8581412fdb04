// A safety plan (the Stanley-Brown Safety Planning Intervention) read aloud in order:
// six numbered sections, then reasons for living. Section 5 always carries the crisis
// resources and the care team, which come with every plan and cannot be removed.
// Used by the plan screens, the crisis panel (compact) and the version history.

import { h } from './dom.js';
import { timeElement } from './format.js';
import { crisisContent } from './crisis.js';

/** [key in the API, heading, what belongs there, label of one entry] */
export const PLAN_SECTIONS = [
  ['warning_signs', '1. Warning signs',
    'Thoughts, images, moods, situations or behaviours that tell me a crisis may be starting.', 'Warning sign'],
  ['internal_coping', '2. Internal coping strategies',
    'Things I can do on my own to take my mind off my problems, without contacting anyone.', 'Coping strategy'],
  ['social_distraction', '3. People and social settings that provide distraction',
    'People and places that help me take my mind off things.', 'Person or place'],
  ['people_to_ask', '4. People I can ask for help',
    'People I can tell that I am struggling, and how to reach them.', 'Person'],
  ['professionals', '5. Professionals and services I can contact',
    'Clinicians, services and helplines, with how to reach them.', 'Professional or service'],
  ['environment_safety', '6. Making the environment safe',
    'How I can keep myself safe where I am, for example by putting things out of reach.', 'Step'],
  ['reasons_for_living', 'Reasons for living',
    'What is most important to me and worth living for.', 'Reason'],
];

export const MAX_ENTRIES = 20;
export const MAX_CHARS = 500;

/** A plan's seven lists, copied (for an editor or a PUT body). */
export function planLists(plan) {
  return Object.fromEntries(PLAN_SECTIONS.map(([key]) => [key, [...(plan?.[key] || [])]]));
}

export function hasEntries(plan) {
  return PLAN_SECTIONS.some(([key]) => (plan?.[key] || []).length > 0);
}

/** The person's name for people (display name, else username). */
export function nameOf(person, fallback = 'Someone') {
  return person?.display_name || person?.username || fallback;
}

/**
 * The plan, section by section. options:
 *   compact: headings one level lower, empty sections left out (the crisis panel)
 *   level:   heading level of the sections (default 2)
 *   fixed:   false to leave out section 5's crisis resources and care team (history)
 *   crisis:  false to leave out only the crisis resources (shown next to it already)
 *   idPrefix: unique ids for the headings
 */
export function planSections(plan, options = {}) {
  const level = options.level || 2;
  const prefix = options.idPrefix || 'plan';
  const sections = PLAN_SECTIONS.map(([key, title]) => {
    const entries = plan?.[key] || [];
    const fixed = key === 'professionals' && options.fixed !== false ? fixedContacts(plan, options.crisis !== false) : null;
    if (options.compact && !entries.length && !fixed) return null;
    const headingId = `${prefix}-${key}-title`;
    return h('section', { class: 'plan-section', 'data-testid': 'plan-section', 'data-section': key, 'aria-labelledby': headingId },
      h(`h${level}`, { id: headingId }, title),
      entries.length
        ? h('ul', { class: 'plan-entries' }, entries.map((text) => h('li', { 'data-testid': 'plan-entry' }, text)))
        : h('p', { class: 'empty' }, 'Nothing written here yet.'),
      fixed);
  });
  return h('div', { class: options.compact ? 'plan-read compact' : 'plan-read' }, sections);
}

/** Section 5's part that is always there: the care team, then the crisis resources. */
function fixedContacts(plan, withCrisis) {
  const team = plan?.care_team || [];
  if (!team.length && !withCrisis) return null;
  return h('div', { class: 'plan-fixed', 'data-testid': 'plan-fixed' },
    team.length
      ? h('div', { 'data-testid': 'plan-care-team' },
        h('p', { class: 'plan-fixed-title' }, 'My care team (through Messages in Healing Space)'),
        h('ul', { class: 'plan-entries' }, team.map((person) => h('li', {}, nameOf(person)))))
      : null,
    withCrisis
      ? h('div', { 'data-testid': 'plan-crisis' },
        h('p', { class: 'plan-fixed-title' }, 'Crisis lines, any time'),
        crisisContent(plan?.crisis_resources))
      : null);
}

/** "Last changed by X, time" and "Last reviewed with a clinician: …" lines. */
export function planStatus(plan, { viewer } = {}) {
  const changed = plan?.updated_at
    ? ['Last changed by ', whoText(plan.updated_by, viewer), ', ', timeElement(plan.updated_at), '.']
    : 'Not written yet.';
  const reviewed = plan?.reviewed_at
    ? ['Last reviewed with a clinician: ', timeElement(plan.reviewed_at),
      plan.reviewed_by ? [' (', whoText(plan.reviewed_by, viewer), ')'] : null, '.']
    : 'Not reviewed with a clinician yet.';
  return h('div', { class: 'plan-status' },
    h('p', { 'data-testid': 'plan-updated', 'data-version': String(plan?.version ?? 0) },
      changed, plan?.version ? ` Version ${plan.version}.` : null),
    h('p', { 'data-testid': 'plan-reviewed' }, reviewed));
}

function whoText(person, viewer) {
  if (!person) return 'someone';
  if (viewer && person.username === viewer.username) return 'you';
  const role = person.role === 'clinician' ? ' (clinician)' : '';
  return `${nameOf(person)}${role}`;
}
