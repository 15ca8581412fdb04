// The patient's home card for homework: what is still to do, and the way to the CBT
// tools. It loads its own data, so Home does not wait for it.

import { h } from './dom.js';
import { loading } from './status.js';
import { homeworkList } from './homework-list.js';

export function homeworkCard(ctx) {
  // Room for a few lines from the start: the cards below move less when the list comes.
  const area = h('div', { class: 'reserved' }, loading('Loading homework…'));
  const card = h('section', { class: 'panel', 'aria-labelledby': 'home-homework-title', 'data-testid': 'home-homework' },
    h('h2', { id: 'home-homework-title' }, 'Homework'),
    area,
    h('p', { class: 'small' }, h('a', { href: '/cbt', 'data-testid': 'home-cbt' }, 'All homework, thought records, activities and exposure ladders')));
  ctx.api('/api/homework').then((data) => {
    const open = (data.homework || []).filter((item) => item.status !== 'done');
    area.replaceChildren(homeworkList(open, 'Nothing to do right now.'));
  }, (error) => {
    if (!error.handled) area.replaceChildren(h('p', { class: 'empty' }, 'Your homework could not be loaded just now.'));
  });
  return card;
}
