// CBT for patients: homework from the care team, and the lists of thought records,
// planned activities and exposure ladders. Writing and changing one is in cbt-edit.js.

import { h } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { homeworkList } from '../components/homework-list.js';
import { thoughtRecordCard, activityRow, ladderCard } from '../components/cbt-records.js';

/** Loads `path` into `area` with `render(data)`, with a retry on failure. */
async function loadInto(ctx, area, path, render, what) {
  area.replaceChildren(loading(`Loading ${what}…`));
  let data;
  try {
    data = await ctx.api(path);
  } catch (error) {
    if (!error.handled) area.replaceChildren(errorBox(error, () => loadInto(ctx, area, path, render, what)));
    return;
  }
  area.replaceChildren(render(data));
}

const TOOLS = [
  ['thought-records', 'Thought records', 'Catch an upsetting thought, look at the evidence and find a more balanced one.', 'New thought record'],
  ['activities', 'Planned activities', 'Plan things to do, then rate how much you achieved and enjoyed them.', 'Plan an activity'],
  ['exposure-ladders', 'Exposure ladders', 'Face a fear step by step, and record how your distress changes.', 'New ladder'],
];

export async function cbtView(ctx) {
  const homework = h('div', {});
  ctx.main.append(
    pageHead('Homework and exercises'),
    h('p', { class: 'lede' }, 'What your care team asked you to try between sessions, and tools you can use any time.'),
    h('section', { class: 'panel', 'aria-labelledby': 'homework-title', 'data-testid': 'cbt-homework' },
      h('h2', { id: 'homework-title' }, 'Homework'), homework),
    ...TOOLS.map(([path, title, about, start]) => h('section', { class: 'panel', 'aria-labelledby': `tool-${path}` },
      h('h2', { id: `tool-${path}` }, title),
      h('p', {}, about),
      h('p', { class: 'actions' },
        h('a', { class: 'button', href: `/cbt/${path}/new`, 'data-testid': `new-${path}` }, start),
        h('a', { class: 'button secondary', href: `/cbt/${path}`, 'data-testid': `list-${path}` }, `Your ${title.toLowerCase()}`)))),
  );
  await loadInto(ctx, homework, '/api/homework',
    (data) => homeworkList(data.homework || [], 'No homework from your care team right now.'), 'your homework');
}

function listScreen(ctx, { title, lede, newPath, newLabel, testid }) {
  const area = h('div', {});
  ctx.main.append(
    h('p', {}, h('a', { href: '/cbt' }, '← Homework and exercises')),
    pageHead(title),
    h('p', { class: 'lede' }, lede),
    h('p', { class: 'actions' }, h('a', { class: 'button', href: newPath, 'data-testid': `${testid}-new` }, newLabel)),
    h('section', { class: 'panel', 'data-testid': testid }, area),
  );
  return area;
}

export async function thoughtRecordsView(ctx) {
  const area = listScreen(ctx, {
    title: 'Thought records',
    lede: 'Private ones are seen only by you; your care team can read the others.',
    newPath: '/cbt/thought-records/new',
    newLabel: 'New thought record',
    testid: 'thought-records',
  });
  await loadInto(ctx, area, '/api/cbt/thought-records', (data) => (data.thought_records?.length
    ? h('ul', { class: 'rows' }, data.thought_records.map((r) => thoughtRecordCard(r, { href: `/cbt/thought-records/${r.id}` })))
    : h('p', { class: 'empty' }, 'No thought records yet.')), 'your thought records');
}

export async function activitiesView(ctx) {
  const area = listScreen(ctx, {
    title: 'Planned activities',
    lede: 'Plan something, do it, then rate it. Private ones are seen only by you.',
    newPath: '/cbt/activities/new',
    newLabel: 'Plan an activity',
    testid: 'activities',
  });
  await loadInto(ctx, area, '/api/cbt/activities', (data) => (data.activities?.length
    ? h('ul', { class: 'rows' }, data.activities.map((a) => activityRow(a, { href: `/cbt/activities/${a.id}` })))
    : h('p', { class: 'empty' }, 'No activities planned yet.')), 'your activities');
}

export async function laddersView(ctx) {
  const area = listScreen(ctx, {
    title: 'Exposure ladders',
    lede: 'Open a ladder to record an attempt at one of its steps.',
    newPath: '/cbt/exposure-ladders/new',
    newLabel: 'New ladder',
    testid: 'exposure-ladders',
  });
  await loadInto(ctx, area, '/api/cbt/exposure-ladders', (data) => (data.exposure_ladders?.length
    ? h('ul', { class: 'rows' }, data.exposure_ladders.map((l) => ladderCard(l, { href: `/cbt/exposure-ladders/${l.id}` })))
    : h('p', { class: 'empty' }, 'No exposure ladders yet.')), 'your ladders');
}
