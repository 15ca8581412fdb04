// The navigation's icons, drawn inline in the page's own SVG. As image files, each was a
// document of its own that the browser loaded, laid out and painted separately: five of
// them on every first page, on a phone's main thread. Drawn in currentColor, so the
// stylesheet colours them (styles/chrome.css: white on the current entry).

import { s } from './dom.js';

const SHAPES = {
  home: [
    ['path', { d: 'M3 10.5L12 3l9 7.5' }],
    ['path', { d: 'M5 9.5V20h5v-6h4v6h5V9.5' }],
  ],
  messages: [
    ['path', { d: 'M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z' }],
    ['path', { d: 'M7.5 9.5h9M7.5 12.5h6' }],
  ],
  mood: [
    ['circle', { cx: '12', cy: '12', r: '9' }],
    ['path', { d: 'M8.5 14.5c.9 1.3 2.1 2 3.5 2s2.6-.7 3.5-2' }],
    ['path', { d: 'M9 9.5h.01M15 9.5h.01', 'stroke-width': '2.6' }],
  ],
  feedback: [
    ['path', { d: 'M9 18h6M10 21h4' }],
    ['path', { d: 'M12 3a6 6 0 0 0-3.6 10.8c.7.6 1.1 1.3 1.1 2.2h5c0-.9.4-1.6 1.1-2.2A6 6 0 0 0 12 3z' }],
  ],
  settings: [
    ['circle', { cx: '12', cy: '12', r: '3' }],
    ['path', { d: 'M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z' }],
  ],
  clinician: [
    ['circle', { cx: '9', cy: '8', r: '3.5' }],
    ['path', { d: 'M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6' }],
    ['path', { d: 'M16 4.6a3.5 3.5 0 0 1 0 6.8M18 14.3c2.1.7 3.5 2.8 3.5 5.7' }],
  ],
  admin: [
    ['path', { d: 'M12 3l8 3v6c0 4.5-3.4 8.2-8 9-4.6-.8-8-4.5-8-9V6z' }],
    ['path', { d: 'M9 12l2 2 4-4' }],
  ],
};

/** The icon of navigation entry `key` (home, messages, mood, feedback, settings, clinician, admin). */
export function navIcon(key) {
  return s(
    'svg',
    {
      viewBox: '0 0 24 24', width: 22, height: 22, 'aria-hidden': 'true', focusable: 'false',
      fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round',
    },
    (SHAPES[key] || []).map(([tag, attrs]) => s(tag, attrs)),
  );
}
