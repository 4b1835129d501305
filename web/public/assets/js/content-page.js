// One page or news of the site (page.html?slug=...), with its breadcrumb built from the
// sections tree; or a section's own page (page.html?rubrique=...) listing what it holds.

import { api } from '/lib/api.js';
import { CONTENT_API, param, setRenderedHtml } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';

const crumbs = document.getElementById('fil-ariane');
const title = document.getElementById('titre-page');
const lead = document.getElementById('chapo');
const body = document.getElementById('page-corps');
const townName = () => document.querySelector('[data-site="town_name"]')?.textContent?.trim() || '';

function setBreadcrumb(path, current) {
  replaceChildren(crumbs,
    h('li', {}, h('a', { href: '/' }, 'Accueil')),
    path.map((s) => h('li', {}, h('a', { href: `/page.html?rubrique=${encodeURIComponent(s.slug)}` }, s.title))),
    h('li', {}, h('span', { 'aria-current': 'page' }, current)));
}

function setTitle(text) {
  title.textContent = text;
  document.title = `${text} — ${townName()}`;
}

function notFound() {
  setTitle('Page introuvable');
  lead.textContent = '';
  setBreadcrumb([], 'Page introuvable');
  replaceChildren(body, h('p', {}, 'Cette page n’existe pas ou n’est plus publiée.'),
    h('p', {}, h('a', { href: '/plan-du-site.html' }, 'Consulter le plan du site')));
}

async function showArticle(slug) {
  try {
    const a = await api.get(`${CONTENT_API}/articles/${encodeURIComponent(slug)}`);
    setTitle(a.title);
    lead.textContent = a.summary || '';
    setBreadcrumb(a.breadcrumb || [], a.title);
    const content = h('div');
    setRenderedHtml(content, a.body_html);
    replaceChildren(body,
      a.kind === 'news' && a.published_at
        ? h('p', { class: 'article-meta' }, 'Publié le ', h('time', { datetime: a.published_at }, formatDate(a.published_at)))
        : null,
      a.cover ? h('figure', { class: 'article-cover' }, h('img', { src: a.cover.url, alt: a.cover.alt || '' })) : null,
      content,
      a.tags?.length ? h('ul', { class: 'tag-list', 'aria-label': 'Mots-clés' }, a.tags.map((t) => h('li', {}, t))) : null);
  } catch (err) {
    if (err.status === 404) notFound();
    else replaceChildren(body, h('p', { role: 'alert' }, `Cette page ne peut pas être affichée : ${err.message}`));
  }
}

function findPath(nodes, slug, path = []) {
  for (const n of nodes) {
    if (n.slug === slug) return { node: n, path };
    const found = findPath(n.children || [], slug, [...path, n]);
    if (found) return found;
  }
  return null;
}

async function showSection(slug) {
  try {
    const tree = await api.get(`${CONTENT_API}/sections`);
    const found = findPath(tree.items || [], slug);
    if (!found) return notFound();
    const { node, path } = found;
    setTitle(node.title);
    lead.textContent = node.description || '';
    setBreadcrumb(path, node.title);
    const data = await api.get(`${CONTENT_API}/articles?section=${encodeURIComponent(slug)}&limit=100`);
    const children = node.children || [];
    replaceChildren(body,
      children.length ? [h('h2', {}, 'Sous-rubriques'), h('ul', {}, children.map((c) =>
        h('li', {}, h('a', { href: `/page.html?rubrique=${encodeURIComponent(c.slug)}` }, c.title))))] : null,
      data.items.length
        ? h('ul', { class: 'content-list' }, data.items.map((a) => h('li', { class: 'card' },
          h('h2', {}, h('a', { href: a.url }, a.title)), a.summary ? h('p', {}, a.summary) : null)))
        : h('p', { class: 'empty-state' }, 'Aucune page publiée dans cette rubrique pour le moment.'));
  } catch (err) {
    replaceChildren(body, h('p', { role: 'alert' }, `Cette rubrique ne peut pas être affichée : ${err.message}`));
  }
}

const slug = param('slug');
const section = param('rubrique');
if (slug) showArticle(slug);
else if (section) showSection(section);
else notFound();
