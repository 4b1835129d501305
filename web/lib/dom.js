// Tiny DOM helpers shared by the public site, the agent SPA and the API reference.
// Builds elements from data with textContent only, so API text can never inject markup.

/**
 * h('a', { href: '/x', class: 'btn' }, 'text', childNode) → HTMLElement.
 * Attributes: `class`, `dataset` (object), `on<event>` (listener), booleans (true → present,
 * false/null → absent); everything else through setAttribute. Children: strings, nodes, arrays.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace all children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Long French date, e.g. « mardi 3 mars 2026 ». */
export function formatDate(value, options = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', ...options }).format(date);
}

// The town's calendar day of a moment, « 2026-12-06 »: what the services count by (Europe/Paris),
// not the UTC day of toISOString(), which is yesterday's between midnight and 1 or 2 a.m.
const TOWN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The town's day (YYYY-MM-DD, Europe/Paris) of date (a Date or milliseconds; default now). */
export function townDay(date = new Date()) {
  return TOWN_DAY.format(date instanceof Date ? date : new Date(date));
}

/** Money in integer cents → « 12,50 € ». */
export function formatCents(cents) {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}
