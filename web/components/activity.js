// Whether the person has used the page lately: background refreshes only run then, so an
// idle screen does not keep a session alive past its idle timeout.

const MAX_WINDOW_MS = 5 * 60 * 1000;

let lastInteraction = Date.now();
// Background refreshes count as activity on the server, so they stop soon after the
// person does: at most a quarter of the idle timeout (and never more than 5 minutes).
let activeWindowMs = windowFor(1800);

for (const type of ['keydown', 'pointerdown', 'input']) {
  document.addEventListener(type, () => {
    lastInteraction = Date.now();
  }, { passive: true, capture: true });
}

function windowFor(idleTimeoutSeconds) {
  return Math.min(MAX_WINDOW_MS, (idleTimeoutSeconds * 1000) / 4);
}

/** The session's idle timeout, once the server has told us. */
export function useIdleTimeout(seconds) {
  activeWindowMs = windowFor(seconds);
}

/** True while the page is visible and was used within the active window. */
export function recentlyActive() {
  return document.visibilityState === 'visible' && Date.now() - lastInteraction < activeWindowMs;
}
