// Recherche: results as you type (debounced, the previous request cancelled), French
// full-text with accents ignored; matched words come marked by the server (<mark>).

import { api } from '/lib/api.js';
import { CONTENT_API, param } from '/lib/content.js';
import { h, replaceChildren } from '/lib/dom.js';

const form = document.getElementById('recherche');
const input = document.getElementById('q');
const status = document.getElementById('etat');
const results = document.getElementById('resultats');
const TYPES = { article: 'Page', event: 'Agenda', organisation: 'Association', job: 'Emploi' };
let controller = null;
let timer = null;

// The snippet is server-escaped text in which only <mark> elements were added: rebuild it from
// text and <mark> nodes only, so nothing else could ever become markup.
function snippet(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html || '';
  const out = h('p');
  for (const node of tpl.content.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) out.append(node.textContent);
    else if (node.nodeName === 'MARK') out.append(h('mark', {}, node.textContent));
  }
  return out;
}

async function run() {
  const q = input.value.trim();
  const url = new URL(location.href);
  if (q) url.searchParams.set('q', q);
  else url.searchParams.delete('q');
  history.replaceState(null, '', url);
  if (q.length < 2) {
    replaceChildren(results);
    status.textContent = q ? 'Saisissez au moins deux caractères.' : '';
    return;
  }
  controller?.abort();
  controller = new AbortController();
  try {
    const data = await api.get(`${CONTENT_API}/search?${new URLSearchParams({ q, limit: '20' })}`, { signal: controller.signal });
    replaceChildren(results, data.items.length
      ? h('ol', { class: 'content-list' }, data.items.map((r) => h('li', { class: 'card' },
        h('span', { class: 'result-type' }, TYPES[r.type] || r.type),
        h('h2', {}, h('a', { href: r.url }, r.title)),
        snippet(r.snippet_html))))
      : h('p', { class: 'empty-state' }, 'Aucun résultat. Essayez un autre mot.'));
    status.textContent = `${data.items.length} résultat${data.items.length > 1 ? 's' : ''} pour « ${q} ».`;
  } catch (err) {
    if (err.name === 'AbortError') return;
    status.textContent = `La recherche n’a pas abouti : ${err.message}`;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run();
});
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(run, 200);
});

input.value = param('q');
if (input.value) run();
