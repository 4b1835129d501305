// Annuaire: associations and partners filtered by category and name or activity (accents and
// case do not matter), and one entry in detail when the URL names it (?structure=slug).

import { api } from '/lib/api.js';
import { CONTENT_API, categoryLabel, param, setRenderedHtml } from '/lib/content.js';
import { h, replaceChildren } from '/lib/dom.js';

const form = document.getElementById('filtres');
const text = document.getElementById('filtre-texte');
const select = document.getElementById('filtre-categorie');
const list = document.getElementById('liste');
const status = document.getElementById('etat');
const detail = document.getElementById('structure');

function card(o) {
  return h('li', { class: 'card' },
    h('h2', {}, h('a', { href: `?structure=${encodeURIComponent(o.slug)}` }, o.name)),
    h('p', { class: 'meta' }, categoryLabel(o.category), o.address ? ` — ${o.address}` : null),
    o.opening_hours ? h('p', {}, o.opening_hours) : null);
}

async function search() {
  const q = new URLSearchParams({ limit: '100' });
  if (text.value.trim()) q.set('q', text.value.trim());
  if (select.value) q.set('category', select.value);
  try {
    const data = await api.get(`${CONTENT_API}/directory?${q}`);
    replaceChildren(list, data.items.length
      ? h('ul', { class: 'content-list grid-2' }, data.items.map(card))
      : h('p', { class: 'empty-state' }, 'Aucune structure ne correspond à votre recherche.'));
    status.textContent = `${data.items.length} structure${data.items.length > 1 ? 's' : ''} trouvée${data.items.length > 1 ? 's' : ''}.`;
  } catch (err) {
    status.textContent = `L’annuaire ne peut pas être affiché : ${err.message}`;
  }
}

async function categories() {
  try {
    const data = await api.get(`${CONTENT_API}/directory/categories`);
    for (const c of data.items) select.append(h('option', { value: c.category }, `${categoryLabel(c.category)} (${c.count})`));
    const wanted = param('categorie');
    if (wanted) select.value = wanted;
  } catch {
    // The filter by category stays empty; the list still works.
  }
}

async function showDetail(slug) {
  try {
    const o = await api.get(`${CONTENT_API}/directory/${encodeURIComponent(slug)}`);
    const desc = h('div', { class: 'prose' });
    setRenderedHtml(desc, o.description_html);
    replaceChildren(detail, h('article', { class: 'card', 'aria-labelledby': 'structure-nom' },
      h('h2', { id: 'structure-nom' }, o.name),
      h('p', { class: 'meta' }, categoryLabel(o.category)),
      o.logo ? h('img', { src: o.logo.url, alt: o.logo.alt || `Logo de ${o.name}`, width: '120' }) : null,
      desc,
      h('dl', {},
        o.address ? [h('dt', {}, 'Adresse'), h('dd', {}, o.address)] : null,
        o.opening_hours ? [h('dt', {}, 'Horaires'), h('dd', {}, o.opening_hours)] : null,
        o.phone ? [h('dt', {}, 'Téléphone'), h('dd', {}, h('a', { href: `tel:${o.phone.replace(/[^0-9+]/g, '')}` }, o.phone))] : null,
        o.email ? [h('dt', {}, 'Courriel'), h('dd', {}, h('a', { href: `mailto:${o.email}` }, o.email))] : null,
        o.website ? [h('dt', {}, 'Site internet'), h('dd', {}, h('a', { href: o.website, rel: 'noopener' }, o.website))] : null)));
    detail.hidden = false;
  } catch {
    replaceChildren(detail, h('p', { class: 'notice' }, 'Cette structure n’est pas dans l’annuaire.'));
    detail.hidden = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});
select.addEventListener('change', search);
let timer = null;
text.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(search, 250);
});

const slug = param('structure');
if (slug) showDetail(slug);
categories().then(search);
