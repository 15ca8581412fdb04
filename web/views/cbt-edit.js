// Writing and changing one CBT record: a thought record, a planned activity, an exposure
// ladder (with its attempts). Started from homework (`?homework=ID`), the new record is
// linked to it, and saving it marks the homework done.

import { h, fill } from '../components/dom.js';
import { pageHead } from '../components/page.js';
import { button } from '../components/button.js';
import { loading, errorBox } from '../components/status.js';
import { homeworkBanner } from '../components/homework-list.js';
import { deleteButton } from '../components/cbt-fields.js';
import { thoughtRecordForm } from '../components/thought-record-form.js';
import { activityForm } from '../components/activity-form.js';
import { ladderForm, attemptForm } from '../components/ladder-form.js';
import { ladderCard } from '../components/cbt-records.js';

/**
 * The screen for one record, new or existing. spec: {api, list, what, newTitle, title,
 * form(ctx, {record, homeworkId, onSaved}), extra(ctx, record, reload)}
 */
async function recordScreen(ctx, spec) {
  const id = ctx.params.id;
  const wanted = id ? null : ctx.query.get('homework');
  const body = h('div', {}, loading(`Loading…`));
  ctx.main.append(
    h('p', {}, h('a', { href: spec.list }, `← ${spec.listName}`)),
    pageHead(id ? spec.title : spec.newTitle),
    body,
  );
  const load = async () => {
    let record = null;
    let homework = null;
    try {
      if (id) record = await ctx.api(`${spec.api}/${encodeURIComponent(id)}`);
      if (wanted) {
        const mine = await ctx.api('/api/homework');
        homework = (mine.homework || []).find((item) => String(item.id) === wanted) || null;
      }
    } catch (error) {
      if (!error.handled) body.replaceChildren(errorBox(error, load));
      return;
    }
    const onSaved = () => {
      ctx.notify(homework ? 'Saved. Your homework is done.' : 'Saved.');
      ctx.navigate(homework ? '/cbt' : spec.list);
    };
    fill(
      body,
      homeworkBanner(homework),
      h('section', { class: 'panel' },
        spec.form(ctx, { record, homeworkId: homework ? homework.id : null, onSaved })),
      record && spec.extra ? spec.extra(ctx, record, load) : null,
      record ? h('p', { class: 'actions' }, deleteButton(ctx, `${spec.api}/${encodeURIComponent(record.id)}`, spec.list, spec.what, button)) : null,
    );
  };
  await load();
}

export async function thoughtRecordView(ctx) {
  await recordScreen(ctx, {
    api: '/api/cbt/thought-records',
    list: '/cbt/thought-records',
    listName: 'Thought records',
    what: 'thought record',
    newTitle: 'New thought record',
    title: 'Thought record',
    form: (c, o) => thoughtRecordForm(c, { record: o.record, homeworkId: o.homeworkId, onSaved: o.onSaved }),
  });
}

export async function activityView(ctx) {
  await recordScreen(ctx, {
    api: '/api/cbt/activities',
    list: '/cbt/activities',
    listName: 'Planned activities',
    what: 'activity',
    newTitle: 'Plan an activity',
    title: 'Activity',
    form: (c, o) => activityForm(c, { activity: o.record, homeworkId: o.homeworkId, onSaved: o.onSaved }),
  });
}

export async function ladderView(ctx) {
  await recordScreen(ctx, {
    api: '/api/cbt/exposure-ladders',
    list: '/cbt/exposure-ladders',
    listName: 'Exposure ladders',
    what: 'ladder',
    newTitle: 'New exposure ladder',
    title: 'Exposure ladder',
    form: (c, o) => ladderForm(c, { ladder: o.record, homeworkId: o.homeworkId, onSaved: o.onSaved }),
    extra: (c, ladder, reload) => h('section', { class: 'panel', 'aria-labelledby': 'attempts-title', 'data-testid': 'ladder-attempts' },
      h('h2', { id: 'attempts-title' }, 'Attempts'),
      h('ul', { class: 'rows' }, ladderCard(ladder)),
      (ladder.steps || []).map((step) => attemptForm(c, {
        ladderId: ladder.id,
        step,
        onSaved: () => {
          c.notify('Attempt recorded.');
          reload();
        },
      }))),
  });
}
