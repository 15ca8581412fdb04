// Routing: real paths (/messages/12) through the History API, one screen at a time in #main.
//
// The router knows nothing about who is signed in: the entry point (app.js) tells it where
// a screen sends someone instead, who may see it, and what a view receives.

import { h } from './components/dom.js';
import { pageHead } from './components/page.js';
import { errorBox } from './components/status.js';
import { ClientErrorCode } from './error-codes.js';

const SITE = 'Healing Space';

let options = null;
// Bumped on every render: a view that awaits something can tell when it was replaced.
let renderCount = 0;

/**
 * options.routes:              [{path: '/messages/:id', view, from, title, public, roles, nav, data}]
 * options.redirect(route, path): where to go instead of `route` (a path), or null
 * options.allowed(route):      whether the person's role may see `route`
 * options.contextFor(screen):  what the view gets; screen = {main, params, query, isCurrent}
 * options.shown(route):        after each screen is in place (route is null when not found)
 */
export function startRouter(routerOptions) {
  options = routerOptions;
  document.addEventListener('click', interceptLinks);
  window.addEventListener('popstate', () => render());
}

export function currentPath() {
  return location.pathname + location.search;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== currentPath()) history.pushState(null, '', path);
  render();
}

export function setTitle(title) {
  document.title = `${title} – ${SITE}`;
}

/** Shows the screen for the current address. */
export function render() {
  renderCount += 1;
  const token = renderCount;
  const found = match(location.pathname);
  const route = found?.route;

  const redirect = route && options.redirect(route, currentPath());
  if (redirect) {
    history.replaceState(null, '', redirect);
    render();
    return;
  }

  const main = document.getElementById('main');
  main.replaceChildren();
  setTitle(route?.title || 'Page not found');
  const screen = {
    main,
    params: found?.params || {},
    query: new URLSearchParams(location.search),
    isCurrent: () => token === renderCount,
  };
  window.scrollTo(0, 0);
  options.shown(route || null);
  if (route && options.allowed(route)) {
    showView(route, screen);
    return;
  }
  main.append(route ? notForYou() : notFound());
  focusHeading(main);
}

// The screen's module is fetched the first time it is shown (routes.js), then its view
// draws; a failure either way gets "Try again".
async function showView(route, screen) {
  try {
    const view = (await loadScreen(route))[route.view];
    if (!screen.isCurrent()) return;
    const result = view(options.contextFor(screen));
    focusHeading(screen.main);
    await result;
  } catch (error) {
    showFailure(screen, error);
  }
}

// The screen's code. One that could not be fetched (offline, the server away, and no copy
// kept yet by the service worker) fails as a request that could not be sent would; the
// browser remembers a failed import, so trying again reloads the page. A module that
// failed otherwise (an error in it) is shown as it is.
async function loadScreen(route) {
  try {
    return await route.from();
  } catch (cause) {
    if (!(cause instanceof TypeError)) throw cause;
    const unreachable = new Error('The screen could not be fetched', { cause });
    unreachable.status = 0;
    unreachable.code = ClientErrorCode.Network;
    unreachable.reload = true;
    throw unreachable;
  }
}

// A view that fails without showing why gets a message and "Try again" (a fresh render).
function showFailure(screen, error) {
  if (error && error.handled) return;
  if (!screen.isCurrent()) return;
  // Being offline is no fault of the app's.
  if (error?.status !== 0) console.error(error);
  screen.main.append(errorBox(error, error?.reload ? () => location.reload() : () => render()));
}

// Focus moves to the new page's heading so screen readers announce it, unless the view
// placed focus itself (sign-in does).
function focusHeading(main) {
  const active = document.activeElement;
  if (!main.contains(active) || active === main) {
    const heading = main.querySelector('h1');
    if (heading) heading.focus();
  }
}

/** The route of the current address, or null. */
export function currentRoute() {
  return match(location.pathname)?.route || null;
}

function match(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const route of options.routes) {
    const params = matchRoute(route.path, parts);
    if (params) return { route, params };
  }
  return null;
}

/** The route's :params when `parts` match its path, else null. */
function matchRoute(path, parts) {
  const pattern = path.split('/').filter(Boolean);
  if (pattern.length !== parts.length) return null;
  const params = {};
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
    else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}

function notFound() {
  return h(
    'div',
    { class: 'panel' },
    pageHead('We could not find that page'),
    h('p', {}, 'The address may be mistyped, or the page may have moved.'),
    h('p', {}, h('a', { href: '/', class: 'button' }, 'Go to your home page')),
  );
}

function notForYou() {
  return h(
    'div',
    { class: 'panel' },
    pageHead('This page is not part of your account'),
    h('p', {}, 'It is for people with a different role. Everything you need is in the menu above.'),
    h('p', {}, h('a', { href: '/', class: 'button' }, 'Go to your home page')),
  );
}

// Same-origin links become in-app navigation; anything a browser should handle itself
// (new tabs, downloads, tel:, mailto:, the API) is left alone.
function interceptLinks(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const href = link.getAttribute('href');
  if (!href || href.startsWith('#') || href.startsWith('tel:') || href.startsWith('mailto:')) return;
  if (link.origin !== location.origin || link.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
}
