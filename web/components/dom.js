// Small DOM helpers. Everything is built with createElement and textContent, never
// innerHTML, so text from the server can never become markup.

/** h('p', {class: 'x', 'data-testid': 'y', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const late = {};
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'value' || key === 'checked' || key === 'selected') late[key] = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  // Properties, not attributes, and only once the options they pick exist.
  for (const [key, value] of Object.entries(late)) el[key] = value;
  return el;
}

/**
 * The address of one of the app's files (`/icons/lifebuoy.svg`) as the page's import map
 * names it: with its content's hash, so the browser keeps it (src/web/page.rs). The
 * plain address where the browser cannot resolve through the map.
 */
export function asset(path) {
  return typeof import.meta.resolve === 'function' ? import.meta.resolve(path) : path;
}

/** Replaces an element's children, skipping null/false like `h` does. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (presentation attributes are allowed by the CSP). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') el.textContent = value;
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}
