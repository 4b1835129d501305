// Home page sections fed by civitas-content: alert banner, latest news, next events.
// While a feed is switched off (web/lib/content.js) the static empty state in the HTML stays.

import { currentAlert, latestArticles, upcomingEvents } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

function showAlert(alert) {
  const banner = document.getElementById('alerte');
  if (!banner || !alert) return;
  replaceChildren(banner.querySelector('[data-alert-title]'), alert.title);
  replaceChildren(banner.querySelector('[data-alert-message]'), alert.message || '',
    alert.url ? [' ', h('a', { href: alert.url }, 'En savoir plus', h('span', { class: 'visually-hidden' }, ` : ${alert.title}`))] : []);
  banner.hidden = false;
}

function articleCard(a) {
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: a.url || `/actualites.html#${encodeURIComponent(a.id)}` }, a.title)),
    a.published_at ? h('p', { class: 'meta' }, 'Publié le ', h('time', { datetime: a.published_at }, formatDate(a.published_at))) : null,
    a.summary ? h('p', {}, a.summary) : null);
}

function eventCard(e) {
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: e.url || `/agenda.html#${encodeURIComponent(e.id)}` }, e.title)),
    h('p', { class: 'meta' },
      e.starts_at ? h('time', { datetime: e.starts_at }, formatDate(e.starts_at, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })) : null,
      e.location ? ` — ${e.location}` : null));
}

async function fill(listId, load, render) {
  const container = document.getElementById(listId);
  if (!container) return;
  try {
    const items = await load();
    if (items.length === 0) return;
    replaceChildren(container, h('ul', { class: 'cards' }, items.map(render)));
  } catch {
    // Keep the empty state: the home page must stay usable when a service is down.
  }
}

currentAlert().then(showAlert).catch(() => {});
fill('liste-actualites', () => latestArticles(3), articleCard);
fill('liste-agenda', () => upcomingEvents(3), eventCard);
