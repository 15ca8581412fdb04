// Contact support: a message to the Healing Space administrators, who are reached only
// this way (they are not offered as recipients). It lands in a conversation in Messages.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors, setFieldError } from '../components/form.js';
import { pageHead } from '../components/page.js';
import { randomKey } from '../components/keys.js';
import { ErrorCode } from '../error-codes.js';

export function supportView(ctx) {
  ctx.main.append(
    h('p', {}, h('a', { href: '/messages' }, '← All messages')),
    h('section', { class: 'panel' },
      pageHead('Contact support'),
      h('p', { class: 'lede' },
        'Write to the Healing Space administrators about your account, signing in, or anything '
        + 'about the service. For questions about your care, write to your care team.'),
      supportForm(ctx)),
  );
}

function supportForm(ctx) {
  const alert = formAlert();
  const subject = field({ id: 'support-subject', name: 'subject', label: 'Subject (optional)', attrs: { maxlength: '200' } });
  const content = field({
    id: 'support-content', name: 'content', label: 'Message', multiline: true, rows: 6, required: true,
    hint: 'Support replies in Messages. If you need help now, use “Need help now?” at the top.',
  });
  const submit = button('Send to support', { type: 'submit', 'data-testid': 'support-send' });
  const fields = { subject, content };
  const form = h('form', { novalidate: true }, alert, subject, content, h('div', { class: 'actions' }, submit));
  let key = randomKey();

  onSubmit(form, submit, 'Sending…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    const body = { content: content.control.value.trim() };
    if (!body.content) {
      setFieldError(content, 'Write your message first.');
      content.control.focus();
      return;
    }
    const subjectText = subject.control.value.trim();
    if (subjectText) body.subject = subjectText;
    try {
      const sent = await ctx.api('/api/support', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      key = randomKey();
      ctx.notify('Message sent to support.');
      ctx.navigate(`/messages/${encodeURIComponent(sent.conversation_id)}`);
    } catch (error) {
      // "No administrator yet" says what to do instead; other failures as everywhere.
      if (error.code === ErrorCode.SupportUnavailable) alert.show('error', error.message);
      else showFormError(error, alert, fields);
    }
  });
  return form;
}
