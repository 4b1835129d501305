// Recherche: results as you type (debounced, the previous request cancelled), French
// full-text with accents ignored; matched words come marked by the server (<mark>).

import { api } from '/lib/api.js';
import { CONTENT_API, param } from '/lib/content.js';
import { h, replaceChildren } from '/lib/dom.js';

const form = document.getElementById('recherche');
const input = document.getElementById('q');
const status = document.getElementById('etat');
const results = document.getElementById('resultats');
// An article is labelled by its kind (page or news item); other results by their type.
const TYPES = { article: 'Page', page: 'Page', news: 'Actualité', event: 'Événement', organisation: 'Annuaire', job: 'Offre d’emploi', procedure: 'Démarche en ligne' };
let procedures = null;

// Markdown marks a person should never see in an excerpt: emphasis, headings, list bullets, links.
export function plainText(text) {
  return String(text)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|`)/g, '')
    .replace(/^\s{0,3}(#{1,6}|[-+]|\d+\.|>)\s+/gm, '')
    .replace(/\s+/g, ' ');
}

const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** The published procedures whose title or description holds every word of q (teleservices). */
async function matchingProcedures(q, signal) {
  if (!procedures) {
    procedures = api.get('/api/teleservices/v1/procedures', { signal }).then((d) => d.items).catch(() => { procedures = null; return []; });
  }
  const words = fold(q).split(/\s+/).filter((w) => w.length > 1);
  return (await procedures).filter((p) => {
    const hay = fold(`${p.title} ${p.description_md}`);
    return words.every((w) => hay.includes(w));
  }).map((p) => ({ type: 'procedure', title: p.title, url: `/demarche.html?slug=${encodeURIComponent(p.slug)}`, text: p.description_md }));
}
let controller = null;
let timer = null;

// The snippet is server-escaped text in which only <mark> elements were added: rebuild it from
// text and <mark> nodes only, so nothing else could ever become markup.
function snippet(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html || '';
  const out = h('p');
  for (const node of tpl.content.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) out.append(plainText(node.textContent));
    else if (node.nodeName === 'MARK') out.append(h('mark', {}, plainText(node.textContent)));
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
    const [data, procs] = await Promise.all([
      api.get(`${CONTENT_API}/search?${new URLSearchParams({ q, limit: '20' })}`, { signal: controller.signal }),
      matchingProcedures(q, controller.signal),
    ]);
    // Procedures first: a person searching « inscription » most often wants to do it.
    const items = [...procs, ...data.items];
    replaceChildren(results, items.length
      ? h('ol', { class: 'content-list' }, items.map((r) => h('li', { class: 'card', dataset: { type: r.kind || r.type } },
        h('span', { class: 'result-type' }, TYPES[r.kind] || TYPES[r.type] || r.type),
        h('h2', {}, h('a', { href: r.url }, r.title)),
        r.snippet_html !== undefined ? snippet(r.snippet_html) : h('p', {}, plainText(r.text).slice(0, 220)))))
      : h('p', { class: 'empty-state' }, 'Aucun résultat. Essayez un autre mot.'));
    status.textContent = `${items.length} résultat${items.length > 1 ? 's' : ''} pour « ${q} ».`;
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
