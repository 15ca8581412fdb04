// What a patient sees after answering a questionnaire: when the answers speak of self-harm,
// or when no clinician will see them, the crisis resources come first; then the result in
// plain words, whether the care team was told, and that no one watches around the clock.

import { asset, h } from './dom.js';
import { crisisContent } from './crisis.js';
import { resultLine, instrumentName } from './measures.js';

/** response: the 201 answer of POST /api/measures/{id}/responses (with `guidance`). */
export function measureResult(response) {
  const guidance = response.guidance || {};
  const help = guidance.urgent || guidance.crisis_resources;
  const heading = h('h2', { id: 'measure-result-title', tabindex: '-1' }, 'Your result');
  const section = h(
    'section',
    {
      class: 'panel measure-result',
      'aria-labelledby': 'measure-result-title',
      'data-testid': 'measure-result',
      'data-urgent': guidance.urgent ? 'true' : 'false',
      'data-notified': response.care_team_notified ? 'true' : 'false',
    },
  );
  if (help) {
    section.append(h(
      'div',
      { class: 'result-crisis', role: 'alert', 'data-testid': 'result-crisis' },
      h('p', { class: 'result-crisis-title', tabindex: '-1' },
        h('img', { src: asset('/icons/lifebuoy.svg'), alt: '', width: 22, height: 22 }),
        h('strong', {}, guidance.urgent ? 'Important: get help now if you need it' : 'If you need help now')),
      crisisContent(guidance.crisis_resources),
    ));
  }
  if (guidance.offer_safety_plan) section.append(safetyPlanOffer());
  section.append(
    heading,
    h('p', { class: 'result-band', 'data-testid': 'result-band' },
      h('strong', {}, instrumentName(response.instrument)), ': ', resultLine(response)),
    h('p', { 'data-testid': 'result-guidance' }, guidance.result || ''),
    h('p', { class: 'result-care-team', 'data-testid': 'result-care-team' }, guidance.care_team || ''),
    guidance.monitoring ? h('p', { class: 'muted', 'data-testid': 'result-monitoring' }, guidance.monitoring) : null,
  );
  section.focusTarget = help ? section.querySelector('.result-crisis-title') : heading;
  return section;
}

/** After a result that speaks of risk: the patient's own safety plan, one step away. */
function safetyPlanOffer() {
  return h('div', { class: 'result-plan', 'data-testid': 'offer-safety-plan' },
    h('p', {}, h('strong', {}, 'Your safety plan can help right now.'),
      ' It lists your warning signs, what helps you cope and who you can contact. If you have not made one yet, you can start it now, or with your care team.'),
    h('p', {}, h('a', { class: 'button', href: '/safety-plan', 'data-testid': 'offer-safety-plan-link' }, 'Open my safety plan')));
}
