// What a view gets: a small, frozen object with only what views need. Views never see the
// session's or the chrome's state itself, only these read-only values and functions.

import { api } from './api.js';
import { navigate, setTitle } from './router.js';
import { signedInUser, currentNotice, signedIn, signOut, accountClosed, updateUser, drafts } from './session.js';
import { notify, setUnread, setCrisis, openCrisis } from './chrome.js';

// The same for every screen.
const chrome = Object.freeze({ setUnread, setCrisis, openCrisis });

/**
 * ctx.main           the element the view renders into (emptied for it)
 * ctx.params         the route's :params, e.g. {id: '12'} for /messages/:id
 * ctx.query          the address's ?query, read-only: ctx.query.get('days')
 * ctx.user           who is signed in (a frozen copy, with role), or null on sign-in/register
 * ctx.api            the API client: ctx.api('/api/mood', {method: 'POST', body})
 * ctx.navigate       ctx.navigate('/mood?days=7', {replace: true})
 * ctx.notify         a short confirmation (toast): ctx.notify('Message sent.')
 * ctx.setTitle       the document title, when the route's own is not specific enough
 * ctx.isCurrent()    false once another screen replaced this one (stop timers then)
 * ctx.chrome         setUnread(n): the nav's unread badge; setCrisis(data): the crisis panel's list;
 *                    openCrisis(): opens the "Need help now?" panel
 * ctx.session        notice (why sign in), signedIn(body), signOut(), accountClosed(notice),
 *                    updateUser(fields),
 *                    drafts (get/set/delete unsent text by key)
 */
export function viewContext(screen) {
  return Object.freeze({
    main: screen.main,
    params: Object.freeze({ ...screen.params }),
    query: readOnly(screen.query),
    user: signedInUser(),
    api,
    navigate,
    notify,
    setTitle,
    isCurrent: screen.isCurrent,
    chrome,
    session: Object.freeze({ notice: currentNotice(), signedIn, signOut, accountClosed, updateUser, drafts }),
  });
}

function readOnly(query) {
  return Object.freeze({ get: (name) => query.get(name) });
}
