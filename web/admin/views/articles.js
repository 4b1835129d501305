// Articles in the agent SPA: the content hub, the list of pages and news, and the editor —
// Markdown with the server's rendering and the HTML it produces side by side, scheduling,
// the workflow (submit, publish, reject, archive) and revisions with a diff and restore.

import { api, claims, exchange } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { field, showApiError } from '/lib/forms.js';
import {
  API, STATUS_LABELS, backLink, dateTime, fromLocalInput, isEditor, statusLine,
  toLocalInput, useStyles,
} from './content-common.js';

const HUB = [
  ['/articles', 'Pages et actualités', 'Rédiger, faire relire et publier les pages du site et les actualités.'],
  ['/relecture', 'Relecture', 'Les contenus soumis par les contributeurs, à valider ou à renvoyer.'],
  ['/alertes', 'Bandeau d’alerte', 'Informations urgentes affichées en haut de toutes les pages.'],
  ['/agenda', 'Agenda', 'Créer et modifier les événements de la ville.'],
  ['/annuaire', 'Annuaire des partenaires', 'Valider les modifications proposées par les associations.'],
  ['/offres-emploi', 'Offres d’emploi', 'Publier ou refuser les offres déposées par les employeurs.'],
  ['/medias', 'Médiathèque', 'Images de couverture et logos, avec leur texte alternatif.'],
];

export function renderContentHub(main) {
  useStyles();
  const editor = isEditor();
  replaceChildren(main,
    h('h1', {}, 'Contenus'),
    h('p', { class: 'admin-lead' }, 'Pages, actualités, agenda, bandeau d’alerte, annuaire des partenaires et offres d’emploi.'),
    h('ul', { class: 'content-hub' }, HUB.filter(([path]) => editor || path === '/articles' || path === '/medias').map(([path, title, text]) =>
      h('li', {}, h('h2', {}, h('a', { href: `/admin${path}`, dataset: { link: '' } }, title)), h('p', {}, text)))));
}

function badge(status) {
  return h('span', { class: `badge badge-${status}` }, STATUS_LABELS[status] || status);
}

async function sectionsFlat() {
  const data = await api.get(`${API}/sections`);
  return data.flat || [];
}

export async function renderArticles(main) {
  useStyles();
  const status = statusLine();
  const tbody = h('tbody');
  const filterStatus = field({ id: 'f-statut', name: 'status', label: 'État', options: [['', 'Tous'], ...Object.entries(STATUS_LABELS).slice(0, 4)] });
  const filterKind = field({ id: 'f-type', name: 'kind', label: 'Type', options: [['', 'Tous'], ['page', 'Pages'], ['news', 'Actualités']] });
  const filterText = field({ id: 'f-texte', name: 'q', label: 'Titre contient', type: 'search' });
  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filtrer les articles' },
    filterStatus, filterKind, filterText, h('button', { class: 'btn', type: 'submit' }, 'Filtrer'));
  replaceChildren(main,
    h('h1', {}, 'Pages et actualités'),
    backLink('/admin/contenus', 'Retour aux contenus'),
    h('p', {}, h('a', { class: 'btn', href: '/admin/articles/edition', dataset: { link: '' } }, 'Nouvel article')),
    form, status,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table' },
      h('caption', { class: 'visually-hidden' }, 'Articles, du plus récemment modifié au plus ancien'),
      h('thead', {}, h('tr', {}, ['Titre', 'Type', 'Rubrique', 'État', 'Modifié le'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody)));
  let sections = [];
  try { sections = await sectionsFlat(); } catch { /* titles only */ }
  const sectionTitle = (id) => sections.find((s) => s.id === id)?.title || '';
  async function load() {
    const q = new URLSearchParams({ limit: '100' });
    for (const [k, v] of new FormData(form).entries()) if (v) q.set(k, String(v));
    try {
      const data = await api.get(`${API}/admin/articles?${q}`);
      replaceChildren(tbody, data.items.map((a) => h('tr', {},
        h('td', {}, h('a', { href: `/admin/articles/edition?id=${a.id}`, dataset: { link: '' } }, a.title)),
        h('td', {}, a.kind === 'news' ? 'Actualité' : 'Page'),
        h('td', {}, sectionTitle(a.section_id)),
        h('td', {}, badge(a.status), a.has_unpublished_changes && a.published_revision ? ' (modifications non publiées)' : ''),
        h('td', {}, dateTime(a.updated_at)))));
      status.say(`${data.items.length} article${data.items.length > 1 ? 's' : ''}.`);
    } catch (err) {
      status.say(err.message);
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  load();
}

/** Line diff (longest common subsequence) of two texts as <del>/<ins>/plain lines. */
export function lineDiff(a, b) {
  const x = (a || '').split('\n');
  const y = (b || '').split('\n');
  const n = x.length;
  const m = y.length;
  if (n * m > 4e6) return [h('p', {}, 'Texte trop long pour afficher les différences.')];
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push(h('span', {}, `${x[i]}\n`)); i++; j++; }
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { out.push(h('ins', {}, y[j])); j++; }
    else { out.push(h('del', {}, x[i])); i++; }
  }
  return out;
}

export async function renderArticleEditor(main) {
  useStyles();
  const id = new URL(location.href).searchParams.get('id');
  const me = claims();
  const editor = isEditor();
  const status = statusLine();
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  let article = null;
  let etag = null;
  let sections = [];
  try {
    sections = await sectionsFlat();
    if (id) {
      ({ data: article, etag } = await exchange('GET', `${API}/articles/${encodeURIComponent(id)}?preview=1`));
    }
  } catch (err) {
    replaceChildren(main, h('h1', {}, 'Article'), h('p', { role: 'alert' }, err.message), backLink('/admin/articles', 'Retour à la liste'));
    return;
  }
  const mine = editor ? sections : sections.filter((s) => (s.contributor_ids || []).includes(me.sub));
  const a = article || { kind: 'news', section_id: mine[0]?.id || '', title: '', slug: '', summary: '', body_md: '', tags: [] };
  const sectionOptions = (editor ? sections : mine.concat(sections.filter((s) => s.id === a.section_id && !mine.includes(s))))
    .map((s) => [s.id, s.title]);

  const rendered = h('div', { class: 'prose', id: 'apercu' });
  const source = h('pre', { id: 'html-produit' });
  const body = field({ id: 'a-corps', name: 'body_md', label: 'Texte (Markdown)', rows: 18, value: a.body_md,
    hint: '## pour un intertitre, **gras**, [lien](https://…), listes avec « - ». Le HTML brut n’est pas accepté.', attrs: { class: 'md' } });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-editeur' },
    summary,
    field({ id: 'a-type', name: 'kind', label: 'Type', options: [['news', 'Actualité'], ['page', 'Page']], value: a.kind }),
    field({ id: 'a-rubrique', name: 'section_id', label: 'Rubrique', options: sectionOptions, value: a.section_id,
      hint: editor ? null : 'Seules les rubriques dont vous êtes contributeur sont proposées.' }),
    field({ id: 'a-titre', name: 'title', label: 'Titre', value: a.title, required: true }),
    field({ id: 'a-slug', name: 'slug', label: 'Adresse (slug)', value: a.slug || '', hint: 'Laisser vide pour la déduire du titre. Lettres minuscules, chiffres et tirets.' }),
    field({ id: 'a-resume', name: 'summary', label: 'Résumé', rows: 3, value: a.summary }),
    field({ id: 'a-mots', name: 'tags', label: 'Mots-clés', value: (a.tags || []).join(', '), hint: 'Séparés par des virgules (10 au plus).' }),
    body,
    h('fieldset', {}, h('legend', {}, 'Programmation (facultatif)'),
      field({ id: 'a-debut', name: 'publish_at', label: 'Publier à partir du', type: 'datetime-local', value: toLocalInput(a.publish_at) }),
      field({ id: 'a-fin', name: 'unpublish_at', label: 'Retirer le', type: 'datetime-local', value: toLocalInput(a.unpublish_at) })),
    h('div', { class: 'workflow' }, h('button', { class: 'btn', type: 'submit' }, article ? 'Enregistrer' : 'Créer le brouillon')));

  async function preview() {
    try {
      const r = await api.post(`${API}/preview`, { body_md: form.elements.body_md.value });
      const tpl = document.createElement('template');
      tpl.innerHTML = r.body_html; // server-rendered, raw HTML omitted, links checked
      rendered.replaceChildren(tpl.content);
      source.textContent = r.body_html;
    } catch (err) {
      source.textContent = err.message;
    }
  }
  let timer = null;
  form.elements.body_md.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(preview, 400); });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const payload = {
      kind: v.kind, section_id: v.section_id, title: v.title.trim(), summary: v.summary, body_md: v.body_md,
      tags: v.tags.split(',').map((t) => t.trim()).filter(Boolean),
      publish_at: fromLocalInput(v.publish_at), unpublish_at: fromLocalInput(v.unpublish_at),
    };
    if (v.slug.trim()) payload.slug = v.slug.trim();
    try {
      if (!article) {
        ({ data: article, etag } = await exchange('POST', `${API}/articles`, { body: payload }));
        history.replaceState(null, '', `/admin/articles/edition?id=${article.id}`);
      } else {
        delete payload.kind;
        if (!payload.slug) delete payload.slug;
        ({ data: article, etag } = await exchange('PATCH', `${API}/articles/${article.id}`, { body: payload, headers: { 'If-Match': etag } }));
      }
      status.say(`Enregistré (version ${article.revision}, ${STATUS_LABELS[article.status]}).`);
      drawWorkflow();
      drawRevisions();
    } catch (err) {
      showApiError(summary, form, err, { withLabels: true });
    }
  });

  const workflow = h('div', { class: 'workflow', id: 'actions' });
  const revisions = h('div', { id: 'versions' });
  const stateLine = h('p', { id: 'etat-article' });

  async function act(action, body) {
    try {
      ({ data: article, etag } = await exchange('POST', `${API}/articles/${article.id}/${action}`, { body }));
      const said = { submit: 'Soumis à la relecture.', publish: 'Publié.', reject: 'Renvoyé au contributeur.', archive: 'Archivé.' };
      status.say(said[action]);
      drawWorkflow();
      drawRevisions();
    } catch (err) {
      status.say(err.message);
    }
  }

  function drawWorkflow() {
    if (!article) { replaceChildren(workflow); return; }
    replaceChildren(stateLine, 'État : ', badge(article.status),
      article.live ? ' — en ligne ' : ' — hors ligne ',
      article.live ? h('a', { href: article.url }, 'voir la page publique') : null,
      article.review_comment ? h('span', {}, ` — commentaire de relecture : « ${article.review_comment} »`) : null);
    const buttons = [];
    const button = (label, fn, cls = 'btn') => {
      const b = h('button', { class: cls, type: 'button' }, label);
      b.addEventListener('click', fn);
      buttons.push(b);
    };
    if (article.status === 'draft') button('Soumettre à la relecture', () => act('submit'));
    if (editor && article.status !== 'published') button('Publier', () => act('publish'));
    if (editor && article.status !== 'archived') button('Archiver', () => act('archive'), 'btn btn-secondary');
    const comment = field({ id: 'a-commentaire', name: 'comment', label: 'Commentaire pour le contributeur', rows: 2 });
    if (editor && article.status === 'in_review') {
      button('Renvoyer au contributeur', () => {
        const text = comment.querySelector('textarea').value.trim();
        if (!text) { comment.querySelector('.field-error').textContent = 'Expliquez ce qu’il faut corriger.'; return; }
        act('reject', { comment: text });
      }, 'btn btn-secondary');
    }
    replaceChildren(workflow, buttons, editor && article.status === 'in_review' ? comment : null,
      h('a', { href: `/page.html?slug=${encodeURIComponent(article.slug)}`, hidden: !article.live }, 'Ouvrir la page publique'));
  }

  async function drawRevisions() {
    if (!article) { replaceChildren(revisions); return; }
    try {
      const data = await api.get(`${API}/articles/${article.id}/revisions?limit=50`);
      const diffBox = h('div', { class: 'diff', id: 'diff', 'aria-live': 'polite' });
      const ACTIONS = { create: 'création', update: 'modification', submit: 'soumission', publish: 'publication', reject: 'renvoi', archive: 'archivage', restore: 'restauration' };
      replaceChildren(revisions, h('h2', {}, 'Versions'),
        h('ul', { class: 'revisions' }, data.items.map((r) => {
          const show = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Différences', h('span', { class: 'visually-hidden' }, ` avec la version ${r.n}`));
          show.addEventListener('click', () => replaceChildren(diffBox,
            h('p', {}, `Version ${r.n} → texte actuel :`), lineDiff(r.snapshot.body_md, form.elements.body_md.value)));
          const restore = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Restaurer', h('span', { class: 'visually-hidden' }, ` la version ${r.n}`));
          restore.addEventListener('click', async () => {
            try {
              ({ data: article, etag } = await exchange('POST', `${API}/articles/${article.id}/revisions/${r.n}/restore`, { headers: { 'If-Match': etag } }));
              for (const k of ['title', 'summary', 'body_md']) form.elements[k].value = article[k] || '';
              form.elements.tags.value = (article.tags || []).join(', ');
              status.say(`Version ${r.n} restaurée dans le brouillon.`);
              preview();
              drawWorkflow();
              drawRevisions();
            } catch (err) {
              status.say(err.message);
            }
          });
          return h('li', {}, h('span', {}, `v${r.n} — ${ACTIONS[r.action] || r.action} — ${dateTime(r.at)}`), show, restore);
        })),
        diffBox);
    } catch (err) {
      replaceChildren(revisions, h('p', {}, err.message));
    }
  }

  replaceChildren(main,
    h('h1', { id: 'titre-editeur' }, article ? `Modifier : ${article.title}` : 'Nouvel article'),
    backLink('/admin/articles', 'Retour à la liste'),
    status, stateLine, workflow,
    h('div', { class: 'editor-grid' },
      h('div', {}, form),
      h('div', {},
        h('section', { class: 'pane', 'aria-labelledby': 'titre-apercu' }, h('h2', { id: 'titre-apercu' }, 'Aperçu'), rendered),
        h('section', { class: 'pane', 'aria-labelledby': 'titre-html' }, h('h2', { id: 'titre-html' }, 'HTML produit'), source),
        revisions)));
  drawWorkflow();
  drawRevisions();
  preview();
}
