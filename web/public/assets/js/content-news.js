// Actualités: the published news, newest first, twenty at a time ("Afficher plus").

import { api } from '/lib/api.js';
import { CONTENT_API } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

const list = document.getElementById('liste');
const more = document.getElementById('plus');
const status = document.getElementById('etat');
let cursor = null;
let ul = null;

function card(a) {
  return h('li', { class: 'card' },
    h('h2', {}, h('a', { href: a.url }, a.title)),
    h('p', { class: 'meta' },
      a.published_at ? ['Publié le ', h('time', { datetime: a.published_at }, formatDate(a.published_at))] : null,
      a.section ? ` — ${a.section.title}` : null),
    a.summary ? h('p', {}, a.summary) : null,
    a.tags?.length ? h('ul', { class: 'tag-list', 'aria-label': 'Mots-clés' }, a.tags.map((t) => h('li', {}, t))) : null);
}

async function load() {
  const q = new URLSearchParams({ kind: 'news', limit: '20' });
  if (cursor) q.set('cursor', cursor);
  try {
    const data = await api.get(`${CONTENT_API}/articles?${q}`);
    if (!ul && data.items.length) {
      ul = h('ul', { class: 'content-list' });
      replaceChildren(list, ul);
    }
    for (const a of data.items) ul.append(card(a));
    cursor = data.next_cursor;
    more.hidden = !cursor;
    if (data.items.length && status.dataset.loaded) status.textContent = `${data.items.length} actualités de plus affichées.`;
    status.dataset.loaded = '1';
  } catch (err) {
    status.textContent = `Les actualités ne peuvent pas être affichées : ${err.message}`;
  }
}

more.addEventListener('click', load);
load();
