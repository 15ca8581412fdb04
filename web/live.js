// Live updates: the server's event stream (GET /api/events) while someone is signed in.
// Screens listen with onLive(kind, handler); the stream says only what changed (ids and
// counts), and the screen fetches what it shows. The browser's EventSource reconnects by
// itself, sending the last event's id, so nothing is missed. While the stream is not open,
// isLive() is false and the screens' polling carries on as before.

const KINDS = ['message', 'read', 'unread', 'alert', 'measure_due'];

let source = null;
let open = false;
let whenEnded = null;
const listeners = new Map(KINDS.map((kind) => [kind, new Set()]));

/** Opens the stream; `ended({code, reason})` runs when the server ends the session. */
export function startLive(ended) {
  stopLive();
  whenEnded = ended;
  if (typeof EventSource === 'undefined') return;
  const stream = new EventSource('/api/events');
  source = stream;
  stream.onopen = () => {
    open = true;
  };
  stream.onerror = () => {
    open = false;
  };
  for (const kind of KINDS) {
    stream.addEventListener(kind, (event) => dispatch(kind, event.data));
  }
  stream.addEventListener('session_ended', (event) => {
    stopLive();
    ended(parse(event.data) || {});
  });
}

export function stopLive() {
  if (source) source.close();
  source = null;
  open = false;
}

/**
 * Closes the stream while this page does something that ends or replaces its own session
 * (signing out, closing the account, changing the password), so that the stream's news of
 * it cannot overtake the answer; the function returned opens it again, with the session
 * the browser then has.
 */
export function pauseLive() {
  const ended = whenEnded;
  const wasOpen = source !== null;
  stopLive();
  return () => {
    if (wasOpen && ended) startLive(ended);
  };
}

/** Whether events arrive now (so polling can rest). */
export function isLive() {
  return open;
}

/**
 * Calls `handler(data)` on each event of `kind` while `stillWanted()` is true; the first
 * event after that removes it (screens pass ctx.isCurrent).
 */
export function onLive(kind, handler, stillWanted = () => true) {
  const set = listeners.get(kind);
  const entry = (data) => {
    if (!stillWanted()) {
      set.delete(entry);
      return;
    }
    handler(data);
  };
  set.add(entry);
}

function dispatch(kind, text) {
  const data = parse(text);
  for (const listener of [...listeners.get(kind)]) {
    try {
      listener(data);
    } catch {
      /* one screen's failure must not stop the others */
    }
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
