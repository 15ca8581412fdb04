// Messages: the inbox, a conversation, and a new message.

import { h } from '../components/dom.js';
import { button } from '../components/button.js';
import { field, formAlert, onSubmit, showFormError, clearFieldErrors, setFieldError } from '../components/form.js';
import { timeElement, plural } from '../components/format.js';
import { pageHead } from '../components/page.js';
import { loading, errorBox } from '../components/status.js';
import { recentlyActive } from '../components/activity.js';
import { isLive, onLive } from '../live.js';
import { personLabel, personText } from '../components/person.js';
import { randomKey } from '../components/keys.js';
import { contactSupportLink } from '../components/support-link.js';

const NEWEST_EVERY_MS = 15000;

// ---------------------------------------------------------------------------------------
// Inbox

export async function inboxView(ctx) {
  const archived = ctx.query.get('archived') === '1';
  const title = archived ? 'Archived conversations' : 'Messages';
  ctx.setTitle(title);
  const list = h('ul', { class: 'conversations', 'data-testid': 'inbox' });
  const more = h('div', { class: 'actions' });
  const status = h('div', {}, loading('Loading your messages…'));
  ctx.main.append(
    pageHead(
      title,
      h('div', { class: 'actions' },
        h('a', { class: 'button', href: '/messages/new', 'data-testid': 'new-message' }, 'New message'),
        ctx.user.role === 'admin' ? null : contactSupportLink(),
        archived
          ? h('a', { class: 'button secondary', href: '/messages', 'data-testid': 'show-inbox' }, 'Back to inbox')
          : h('a', { class: 'button secondary', href: '/messages?archived=1', 'data-testid': 'show-archived' }, 'Archived')),
    ),
    h('section', { class: 'panel', 'aria-label': 'Conversations' }, status, list, more),
  );

  let pagesShown = 0;
  // `quiet`: page 1 again in place (a live update), without a loading message.
  const loadPage = async (page, quiet = false) => {
    if (!quiet) {
      more.replaceChildren();
      if (page === 1) status.replaceChildren(loading('Loading your messages…'));
      else more.append(loading('Loading more conversations…'));
    }
    let data;
    try {
      data = await ctx.api('/api/messages/inbox', { query: { page, limit: 20, archived: archived ? 'true' : 'false' } });
    } catch (error) {
      if (error.handled) return;
      more.replaceChildren();
      status.replaceChildren(errorBox(error, () => loadPage(page)));
      return;
    }
    status.replaceChildren();
    more.replaceChildren();
    if (quiet) list.replaceChildren();
    pagesShown = page;
    if (typeof data.total_unread === 'number') ctx.chrome.setUnread(data.total_unread);
    const conversations = data.conversations || [];
    if (page === 1 && !conversations.length) {
      status.append(h('p', { class: 'empty', 'data-testid': 'inbox-empty' }, archived
        ? 'You have no archived conversations.'
        : 'No conversations yet. Use “New message” to write to your care team.'));
    } else if (page === 1 && data.total_unread) {
      status.append(h('p', { class: 'muted' }, `${plural(data.total_unread, 'unread message')}.`));
    }
    const first = conversations.length ? conversationItem(conversations[0]) : null;
    list.append(...conversations.map((c, i) => (i === 0 ? first : conversationItem(c))));
    if (page > 1 && first) first.querySelector('a').focus();
    if (data.has_more) {
      const b = button('Show more conversations', { class: 'button secondary', 'data-testid': 'more-conversations' });
      b.addEventListener('click', () => loadPage(page + 1));
      more.append(b);
    }
  };
  await loadPage(1);
  // A message or a read anywhere changes the order and the counts: page 1 again, unless
  // the person has opened more pages.
  onLive('unread', () => {
    if (pagesShown === 1) loadPage(1, true);
  }, ctx.isCurrent);
}

function conversationItem(c) {
  const other = c.other || {};
  const last = c.last_message;
  const unread = Number(c.unread_count) || 0;
  return h(
    'li',
    {},
    h(
      'a',
      {
        class: `conversation-link${unread ? ' unread' : ''}`,
        href: `/messages/${encodeURIComponent(c.id)}`,
        'data-testid': 'conversation-item',
        'data-conversation-id': c.id,
        'data-unread': unread,
      },
      h('span', { class: 'who' }, personLabel(other)),
      h('span', { class: 'when' }, last ? timeElement(last.sent_at) : ''),
      h('span', { class: 'subject' }, c.subject || ''),
      h('span', {}, unread
        ? h('span', { class: 'badge', 'data-testid': 'conversation-unread' }, String(unread),
          h('span', { class: 'visually-hidden' }, ' unread'))
        : ''),
      h('span', { class: 'preview' }, last ? `${last.from_me ? 'You: ' : ''}${last.preview || ''}` : 'No messages yet'),
    ),
  );
}

// ---------------------------------------------------------------------------------------
// New message

export async function composeView(ctx) {
  const area = h('div', {}, loading('Loading the people you can write to…'));
  ctx.main.append(
    h('p', {}, h('a', { href: '/messages' }, '← All messages')),
    h('section', { class: 'panel' }, pageHead('New message'), area),
  );

  const load = async () => {
    area.replaceChildren(loading('Loading the people you can write to…'));
    let recipients;
    try {
      recipients = (await ctx.api('/api/messages/recipients')).recipients || [];
    } catch (error) {
      if (error.handled) return;
      area.replaceChildren(errorBox(error, load));
      return;
    }
    if (!recipients.length) {
      area.replaceChildren(
        h('p', { 'data-testid': 'no-recipients' }, ctx.user.role === 'clinician'
          ? 'There is no one you can message yet. Once you accept patients into your care team, you can write to them here.'
          : 'There is no one you can message yet. Once a clinician accepts you into their care team, you can write to them here.'),
        h('div', { class: 'actions' },
          ctx.user.role === 'admin' ? null : contactSupportLink(),
          h('a', { href: '/' }, 'Back to your home page')),
      );
      return;
    }
    area.replaceChildren(composeForm(ctx, recipients));
    if (ctx.user.role !== 'admin') {
      area.append(h('p', { class: 'muted small' }, 'To reach an administrator, ', h('a', { href: '/support' }, 'contact support'), '.'));
    }
  };
  await load();
}

function composeForm(ctx, recipients) {
  const wanted = ctx.query.get('to');
  const alert = formAlert();
  const options = recipients.map((r) => [r.username, personText(r)]);
  const recipient = field({
    id: 'recipient', name: 'recipient', label: 'To', required: true,
    options: recipients.length === 1 ? options : [['', 'Choose who to write to'], ...options],
    value: recipients.some((r) => r.username === wanted) ? wanted : (recipients.length === 1 ? recipients[0].username : ''),
  });
  const subject = field({ id: 'subject', name: 'subject', label: 'Subject (optional)', attrs: { maxlength: '200' } });
  const content = field({
    id: 'message-content', name: 'content', label: 'Message', multiline: true, rows: 6, required: true,
    hint: 'Your care team reads messages during working hours. If you need help now, use “Need help now?” at the top.',
  });
  const submit = button('Send message', { type: 'submit', 'data-testid': 'send-message' });
  const fields = { recipient, subject, content };
  const form = h('form', { novalidate: true }, alert, recipient, subject, content, h('div', { class: 'actions' }, submit));
  let key = randomKey();

  onSubmit(form, submit, 'Sending…', async () => {
    clearFieldErrors(fields);
    alert.clear();
    const body = { recipient: recipient.control.value, content: content.control.value.trim() };
    if (!body.recipient) {
      setFieldError(recipient, 'Choose who to write to.');
      recipient.control.focus();
      return;
    }
    if (!body.content) {
      setFieldError(content, 'Write your message first.');
      content.control.focus();
      return;
    }
    const subjectText = subject.control.value.trim();
    if (subjectText) body.subject = subjectText;
    try {
      const sent = await ctx.api('/api/messages/send', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      key = randomKey();
      ctx.notify('Message sent.');
      ctx.navigate(`/messages/${encodeURIComponent(sent.conversation_id)}`);
    } catch (error) {
      showFormError(error, alert, fields);
    }
  });
  return form;
}

// ---------------------------------------------------------------------------------------
// One conversation

export async function conversationView(ctx) {
  const id = ctx.params.id;
  const heading = h('h1', { tabindex: '-1' }, 'Conversation');
  const subline = h('p', { class: 'lede' });
  const earlier = h('div', { class: 'load-earlier' });
  const thread = h('ol', { class: 'thread', 'aria-label': 'Messages, oldest first', 'data-testid': 'thread' });
  const status = h('div', {}, loading('Loading the conversation…'));
  const replyArea = h('div', {});
  const headActions = h('div', { class: 'actions' });
  ctx.main.append(
    h('p', {}, h('a', { href: '/messages', 'data-testid': 'back-to-inbox' }, '← All messages')),
    h('div', { class: 'page-head' }, heading, headActions),
    subline,
    h('section', { class: 'panel', 'aria-labelledby': 'conversation-messages' },
      h('h2', { id: 'conversation-messages', class: 'visually-hidden' }, 'Messages'),
      status, earlier, thread, replyArea),
  );

  const seen = new Set();
  const toItem = (m) => {
    seen.add(String(m.id));
    const mine = !!m.from_me;
    return h(
      'li',
      {
        class: `message${mine ? ' mine' : ''}`,
        'data-testid': 'message',
        'data-message-id': m.id,
        'data-from-me': String(mine),
        tabindex: '-1',
      },
      h('div', { class: 'meta' }, mine ? 'You' : (m.sender?.display_name || m.sender?.username || 'Them'), ' · ', timeElement(m.sent_at)),
      h('p', { class: 'content' }, m.content),
    );
  };

  const showEarlierButton = (data) => {
    earlier.replaceChildren();
    if (!data.has_more) return;
    const b = button('Load earlier messages', { class: 'button secondary', 'data-testid': 'load-earlier' });
    b.addEventListener('click', async () => {
      if (b.isBusy()) return;
      b.setBusy(true, 'Loading…');
      let older;
      try {
        older = await ctx.api(`/api/messages/conversations/${encodeURIComponent(id)}`, {
          query: { before: data.next_before, limit: 50 },
        });
      } catch (error) {
        b.setBusy(false);
        if (!error.handled) earlier.append(errorBox(error));
        return;
      }
      const items = (older.messages || []).filter((m) => !seen.has(String(m.id))).map(toItem);
      const previousHeight = document.documentElement.scrollHeight;
      thread.prepend(...items);
      window.scrollBy(0, document.documentElement.scrollHeight - previousHeight);
      showEarlierButton(older);
      const next = earlier.querySelector('button');
      if (next) next.focus();
      else if (items.length) items[0].focus();
    });
    earlier.append(b);
  };

  let conversation;
  const markRead = async () => {
    try {
      const r = await ctx.api(`/api/messages/conversations/${encodeURIComponent(id)}/read`, { method: 'POST' });
      if (typeof r.total_unread === 'number') ctx.chrome.setUnread(r.total_unread);
    } catch {
      /* the conversation is shown; being marked read can wait */
    }
  };

  const load = async () => {
    status.replaceChildren(loading('Loading the conversation…'));
    let data;
    try {
      data = await ctx.api(`/api/messages/conversations/${encodeURIComponent(id)}`, { query: { limit: 50 } });
    } catch (error) {
      if (error.handled) return;
      status.replaceChildren(errorBox(error, load));
      return;
    }
    status.replaceChildren();
    conversation = data.conversation || {};
    const other = conversation.other || {};
    const name = other.display_name || other.username || 'someone';
    heading.replaceChildren('Conversation with ', personLabel(other, 'someone'));
    ctx.setTitle(`Conversation with ${personText(other, 'someone')}`);
    subline.textContent = conversation.subject ? `Subject: ${conversation.subject}` : '';
    seen.clear();
    thread.replaceChildren(...(data.messages || []).map(toItem));
    if (!(data.messages || []).length) {
      status.append(h('p', { class: 'empty' }, 'No messages here yet.'));
    }
    showEarlierButton(data);
    headActions.replaceChildren(archiveButton(ctx, id, conversation));
    replyArea.replaceChildren(conversation.can_reply === false
      ? h('p', { class: 'muted', 'data-testid': 'cannot-reply' },
        `You can no longer send messages to ${name}. The messages above stay here for you to read.`)
      : replyForm(ctx, id, thread, toItem, refreshNewest));
    // The newest messages and the reply box are at the bottom: show them.
    if (replyArea.getBoundingClientRect().bottom > window.innerHeight) {
      replyArea.scrollIntoView({ block: 'end' });
    }
    markRead();
  };

  // New messages (ours and theirs) are merged in without losing earlier pages.
  const refreshNewest = async () => {
    let data;
    try {
      data = await ctx.api(`/api/messages/conversations/${encodeURIComponent(id)}`, { query: { limit: 50 } });
    } catch {
      return;
    }
    const fresh = (data.messages || []).filter((m) => !seen.has(String(m.id)));
    if (!fresh.length) return;
    thread.append(...fresh.map(toItem));
    status.querySelector('.empty')?.remove();
    if (fresh.some((m) => !m.from_me)) markRead();
  };

  await load();

  // Pushed while the event stream is open; polled otherwise, while the person is active.
  onLive('message', (event) => {
    if (conversation && String(event?.conversation_id) === String(id)) refreshNewest();
  }, ctx.isCurrent);
  const timer = setInterval(() => {
    if (!ctx.isCurrent()) {
      clearInterval(timer);
      return;
    }
    if (conversation && !isLive() && recentlyActive()) refreshNewest();
  }, NEWEST_EVERY_MS);
}

function archiveButton(ctx, id, conversation) {
  let archived = !!conversation.archived;
  const b = button(archived ? 'Move back to inbox' : 'Archive', {
    class: 'button secondary small',
    'data-testid': 'archive-conversation',
  });
  b.addEventListener('click', async () => {
    if (b.isBusy()) return;
    b.setBusy(true, 'Working…');
    try {
      const r = await ctx.api(`/api/messages/conversations/${encodeURIComponent(id)}/${archived ? 'unarchive' : 'archive'}`, { method: 'POST' });
      archived = r && typeof r.archived === 'boolean' ? r.archived : !archived;
      b.setBusy(false);
      b.textContent = archived ? 'Move back to inbox' : 'Archive';
      ctx.notify(archived ? 'Conversation archived. It is under “Archived” in Messages.' : 'Conversation moved back to your inbox.');
    } catch (error) {
      b.setBusy(false);
      if (!error.handled) ctx.notify(error.message || 'That did not work. Please try again.');
    }
  });
  return b;
}

function replyForm(ctx, id, thread, toItem, refreshNewest) {
  const draftKey = `reply:${id}`;
  const alert = formAlert();
  const reply = field({
    id: 'reply', name: 'content', label: 'Reply', multiline: true, rows: 4,
    hint: 'Press Ctrl+Enter to send.',
    value: ctx.session.drafts.get(draftKey) || '',
    attrs: { 'data-testid': 'reply-input' },
  });
  const submit = button('Send', { type: 'submit', 'data-testid': 'reply-send', id: 'reply-send' });
  const form = h('form', { novalidate: true, class: 'reply-form' }, alert, reply, h('div', { class: 'actions' }, submit));
  let key = randomKey();

  reply.control.addEventListener('input', () => {
    const text = reply.control.value;
    if (text) ctx.session.drafts.set(draftKey, text);
    else ctx.session.drafts.delete(draftKey);
  });
  reply.control.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  onSubmit(form, submit, 'Sending…', async () => {
    alert.clear();
    setFieldError(reply, null);
    const content = reply.control.value.trim();
    if (!content) {
      setFieldError(reply, 'Write your reply first.');
      reply.control.focus();
      return;
    }
    try {
      await ctx.api('/api/messages/send', {
        method: 'POST',
        body: { conversation_id: Number.isNaN(Number(id)) ? id : Number(id), content },
        headers: { 'Idempotency-Key': key },
      });
      key = randomKey();
      reply.control.value = '';
      ctx.session.drafts.delete(draftKey);
      ctx.notify('Message sent.');
      await refreshNewest();
      reply.control.focus();
    } catch (error) {
      showFormError(error, alert, { content: reply });
    }
  });
  return form;
}
