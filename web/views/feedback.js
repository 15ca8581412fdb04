// Feedback: tell us about a problem or an idea, and see what happened to earlier feedback.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors, setFieldError } from '../components/form.js';
import { timeElement } from '../components/format.js';
import { rows } from '../components/list.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { CATEGORIES, categoryLabel, statusPill } from '../components/feedback-labels.js';

export async function feedbackView(ctx) {
  const list = h('div', {}, loading('Loading your feedback…'));
  const alert = formAlert();
  const category = field({
    id: 'feedback-category', name: 'category', label: 'What is it about?',
    options: [['', 'Choose one'], ...CATEGORIES],
  });
  const message = field({
    id: 'feedback-message', name: 'message', label: 'Your feedback', multiline: true, rows: 5,
    hint: 'Please do not include anything urgent about your care here. Message your care team instead.',
    attrs: { maxlength: '5000' },
  });
  const submit = button('Send feedback', { type: 'submit', 'data-testid': 'feedback-submit' });
  const fields = { category, message };
  const form = h('form', { novalidate: true }, alert, category, message, h('div', { class: 'actions' }, submit));

  ctx.main.append(
    pageHead('Feedback'),
    h('p', { class: 'lede' }, 'Tell us what works, what does not, and what would help. The team reads every message.'),
    h('div', { class: 'grid two' },
      h('section', { class: 'panel', 'aria-labelledby': 'feedback-new' }, h('h2', { id: 'feedback-new' }, 'Send feedback'), form),
      h('section', { class: 'panel', 'aria-labelledby': 'feedback-mine' }, h('h2', { id: 'feedback-mine' }, 'Your earlier feedback'), list)),
  );

  const load = async () => {
    list.replaceChildren(loading('Loading your feedback…'));
    let items;
    try {
      items = (await ctx.api('/api/feedback')).feedback || [];
    } catch (error) {
      if (error.handled) return;
      list.replaceChildren(errorBox(error, load));
      return;
    }
    list.replaceChildren(feedbackList(items));
  };

  onSubmit(form, submit, 'Sending…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    if (!category.control.value) {
      setFieldError(category, 'Choose what your feedback is about.');
      category.control.focus();
      return;
    }
    const text = message.control.value.trim();
    if (!text) {
      setFieldError(message, 'Write your feedback first.');
      message.control.focus();
      return;
    }
    try {
      await ctx.api('/api/feedback', { method: 'POST', body: { category: category.control.value, message: text } });
      form.reset();
      alert.show('success', 'Thank you. Your feedback was sent.');
      await load();
    } catch (error) {
      showFormError(error, alert, fields);
    }
  });

  await load();
}

function feedbackList(items) {
  return rows(items, feedbackItem, { empty: 'You have not sent any feedback yet.' });
}

function feedbackItem(f) {
  return h(
    'li',
    { 'data-testid': 'feedback-item', 'data-status': f.status, 'data-feedback-id': f.id },
    h('div', { class: 'row-main' },
      h('span', { class: 'row-title' }, categoryLabel(f.category)),
      statusPill(f.status)),
    h('p', { class: 'content' }, f.message),
    f.admin_note ? h('p', { class: 'alert info small' }, h('strong', {}, 'Reply from the team: '), f.admin_note) : null,
    h('div', { class: 'row-meta' }, 'Sent ', timeElement(f.created_at),
      f.updated_at && f.updated_at !== f.created_at ? [' · updated ', timeElement(f.updated_at)] : null),
  );
}
