// Every version of a safety plan, newest first: who wrote it and when, and what it said.
// Nothing written is ever lost, so any earlier wording can be found and copied back.

import { h } from './dom.js';
import { timeElement } from './format.js';
import { loading, errorBox } from './status.js';
import { planSections, nameOf } from './safety-plan.js';

/** A section that loads the versions from `url` when shown. */
export function planHistory(api, url) {
  const area = h('div', {});
  const section = h('section', { class: 'panel plan-history', 'aria-labelledby': 'plan-history-title', 'data-testid': 'plan-history' },
    h('h2', { id: 'plan-history-title', tabindex: '-1' }, 'Version history'),
    area);
  const load = async () => {
    area.replaceChildren(loading('Loading the versions…'));
    let data;
    try {
      data = await api(url);
    } catch (error) {
      if (!error.handled) area.replaceChildren(errorBox(error, load));
      return;
    }
    const versions = data.versions || [];
    area.replaceChildren(versions.length
      ? h('ol', { class: 'rows plan-versions' }, versions.map(versionItem))
      : h('p', { class: 'empty' }, 'No versions yet: the plan has not been saved.'));
  };
  section.load = load;
  return section;
}

function versionItem(version) {
  const author = version.author
    ? `${nameOf(version.author)}${version.author.role === 'clinician' ? ' (clinician)' : ''}`
    : 'someone';
  return h('li', { 'data-testid': 'plan-version', 'data-version': String(version.version) },
    h('details', {},
      h('summary', {}, h('strong', {}, `Version ${version.version}`), ' by ', author, ', ', timeElement(version.created_at)),
      planSections(version, { level: 3, fixed: false, idPrefix: `plan-v${version.version}` })));
}
