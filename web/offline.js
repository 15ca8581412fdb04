// Offline: the service worker (sw.js) that lets the app open with no connection, and the
// copies it keeps on this device. Only two things are kept: the crisis resources (not
// health data, the same for everyone) and the signed-in patient's latest safety plan.
// The plan is deleted when the person signs out, when their session ends, and when
// someone else signs in on this device.

const PLAN_CACHE = 'hs-plan-v1';
const PLAN_URL = '/api/safety-plan';
const CRISIS_KEY = 'hs.crisis';
const REGISTER_AFTER_LOAD_MS = 3000;

/**
 * Registers the service worker (root scope); a browser without one just stays online.
 * `inControl` runs when a worker takes control of the page: what the page fetched before
 * then did not pass through it, so nothing of it was kept.
 */
export function registerServiceWorker(inControl) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => inControl());
  const register = () =>
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      /* the app works online without it */
    });
  // A few seconds after the page has loaded: the worker fetches every file of the app for
  // offline use, about a hundred requests, which on a phone would otherwise compete with
  // the first screen's own requests and drawing.
  const later = () => setTimeout(register, REGISTER_AFTER_LOAD_MS);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}

function hasCaches() {
  return typeof caches !== 'undefined' && window.isSecureContext;
}

/** Deletes the saved safety plan from this device. */
export async function forgetPlan() {
  try {
    navigator.serviceWorker?.controller?.postMessage({ type: 'forget-plan' });
  } catch {
    /* the page deletes it itself below */
  }
  if (!hasCaches()) return;
  try {
    await caches.delete(PLAN_CACHE);
  } catch {
    /* nothing saved */
  }
}

/** The safety plan saved on this device (marked `offline_copy`), or null. */
export async function savedPlan() {
  if (!hasCaches()) return null;
  try {
    const cache = await caches.open(PLAN_CACHE);
    const response = await cache.match(PLAN_URL, { ignoreVary: true });
    if (!response) return null;
    const plan = await response.json();
    return { ...plan, offline_copy: true };
  } catch {
    return null;
  }
}

/** Keeps the saved plan only if it is `username`'s (someone else signed in: deleted). */
export async function keepPlanOnlyFor(username) {
  const plan = await savedPlan();
  if (plan && plan.patient?.username !== username) await forgetPlan();
}

/** The server's crisis resources, kept for when the app opens offline. */
export function rememberCrisis(crisis) {
  try {
    localStorage.setItem(CRISIS_KEY, JSON.stringify(crisis));
  } catch {
    /* storage may be unavailable; the built-in list remains */
  }
}

/** The crisis resources last seen from the server, or null. */
export function rememberedCrisis() {
  try {
    const crisis = JSON.parse(localStorage.getItem(CRISIS_KEY) || 'null');
    return crisis && Array.isArray(crisis.resources) ? crisis : null;
  } catch {
    return null;
  }
}
