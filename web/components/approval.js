// What a clinician sees until an administrator approves their account (Home, My patients).

import { h } from './dom.js';

export function awaitingApproval() {
  return h(
    'section',
    { class: 'panel calm', 'data-testid': 'awaiting-approval', 'aria-labelledby': 'awaiting-title' },
    h('h2', { id: 'awaiting-title' }, 'Your clinician account is awaiting approval'),
    h('p', {}, 'Thank you for joining. An administrator checks every clinician account before it can see patients. ',
      'There is nothing more you need to do right now.'),
    h('p', {}, 'Once it is approved, your patients and their requests will appear under “My patients”.'),
  );
}
