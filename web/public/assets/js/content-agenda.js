// Agenda: a month view (a table of weeks) with the month's events listed below it, the iCal
// link, and one event in detail when the URL names it (agenda.html?evenement=slug).

import { api } from '/lib/api.js';
import { CONTENT_API, param, setRenderedHtml } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

const tbody = document.querySelector('#calendrier tbody');
const monthTitle = document.getElementById('titre-mois');
const list = document.getElementById('liste');
const detail = document.getElementById('evenement');
const TZ = 'Europe/Paris';

const now = new Date();
let year = now.getFullYear();
let month = now.getMonth(); // 0-11, in the browser's zone (the town's for its citizens)

const dayKey = (d) => new Intl.DateTimeFormat('fr-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const when = (e) => formatDate(e.starts_at, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

async function fetchMonth() {
  const from = new Date(year, month, 1);
  const to = new Date(year, month + 1, 1);
  const items = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ from: from.toISOString().replace(/\.\d+Z$/, 'Z'), to: to.toISOString().replace(/\.\d+Z$/, 'Z'), limit: '100' });
    if (cursor) q.set('cursor', cursor);
    const data = await api.get(`${CONTENT_API}/events?${q}`);
    items.push(...data.items);
    cursor = data.next_cursor;
  } while (cursor && items.length < 500);
  return items;
}

function renderMonth(events) {
  const label = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric' }).format(new Date(year, month, 1));
  monthTitle.textContent = label;
  document.getElementById('titre-liste').textContent = `Événements de ${label}`;
  const byDay = new Map();
  for (const e of events) {
    const k = dayKey(new Date(e.starts_at));
    if (!byDay.has(k)) byDay.set(k, []);
    byDay.get(k).push(e);
  }
  const first = new Date(year, month, 1);
  const offset = (first.getDay() + 6) % 7; // Monday first
  const start = new Date(year, month, 1 - offset);
  const today = dayKey(new Date());
  const rows = [];
  for (let w = 0; w < 6; w++) {
    const cells = [];
    for (let d = 0; d < 7; d++) {
      const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + w * 7 + d);
      const k = dayKey(day);
      const evs = byDay.get(k) || [];
      const classes = [day.getMonth() !== month ? 'other' : '', k === today ? 'today' : ''].filter(Boolean).join(' ');
      cells.push(h('td', { class: classes || null },
        h('span', { class: 'day-num' }, String(day.getDate()),
          h('span', { class: 'visually-hidden' }, ` ${formatDate(day, { weekday: 'long', month: 'long' })}`)),
        evs.length ? h('ul', {}, evs.map((e) => h('li', {}, h('a', { href: `?evenement=${encodeURIComponent(e.slug)}` }, h('span', { class: 'ev-title' }, e.title))))) : null));
    }
    rows.push(h('tr', {}, cells));
    if (new Date(start.getFullYear(), start.getMonth(), start.getDate() + (w + 1) * 7).getMonth() !== month && w >= 3) break;
  }
  replaceChildren(tbody, rows);
  replaceChildren(list, events.length
    ? h('ul', { class: 'content-list' }, events.map((e) => h('li', { class: 'card' },
      h('h3', {}, h('a', { href: `?evenement=${encodeURIComponent(e.slug)}` }, e.title)),
      h('p', { class: 'meta' }, h('time', { datetime: e.starts_at }, when(e)), e.location ? ` — ${e.location}` : null),
      e.summary ? h('p', {}, e.summary) : null)))
    : h('p', { class: 'empty-state' }, 'Aucun événement ce mois-ci.'));
}

async function show() {
  try {
    renderMonth(await fetchMonth());
  } catch (err) {
    replaceChildren(list, h('p', { role: 'alert' }, `L’agenda ne peut pas être affiché : ${err.message}`));
  }
}

async function showDetail(slug) {
  try {
    const e = await api.get(`${CONTENT_API}/events/${encodeURIComponent(slug)}`);
    const body = h('div', { class: 'prose' });
    setRenderedHtml(body, e.body_html);
    replaceChildren(detail, h('article', { class: 'card', 'aria-labelledby': 'evenement-titre' },
      h('h2', { id: 'evenement-titre' }, e.title),
      h('p', { class: 'event-date' }, h('time', { datetime: e.starts_at }, when(e)), ' – ',
        h('time', { datetime: e.ends_at }, formatDate(e.ends_at, { hour: '2-digit', minute: '2-digit' }))),
      e.location ? h('p', {}, 'Lieu : ', e.location) : null,
      e.summary ? h('p', {}, e.summary) : null,
      body,
      e.registration_url ? h('p', {}, h('a', { href: e.registration_url, rel: 'noopener' }, 'S’inscrire')) : null,
      e.ticketed ? h('p', {}, 'Billetterie en ligne : voir les démarches.') : null));
    detail.hidden = false;
    const d = new Date(e.starts_at);
    year = d.getFullYear();
    month = d.getMonth();
  } catch {
    replaceChildren(detail, h('p', { class: 'notice' }, 'Cet événement n’existe pas ou n’est plus à l’agenda.'));
    detail.hidden = false;
  }
}

document.getElementById('mois-prec').addEventListener('click', () => {
  month -= 1;
  if (month < 0) { month = 11; year -= 1; }
  show();
});
document.getElementById('mois-suiv').addEventListener('click', () => {
  month += 1;
  if (month > 11) { month = 0; year += 1; }
  show();
});

const slug = param('evenement');
(slug ? showDetail(slug) : Promise.resolve()).then(show);
