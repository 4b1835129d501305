// « Mes documents »: the household's vault of supporting documents — upload (PDF, JPEG, PNG,
// 10 Mo), the list with kind, member and end of validity (warning when expired or within 30
// days), download and deletion.

import { ApiError, api, download } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field } from '/lib/forms.js';
import { ACCOUNT, KINDS, announce, expiry, formatDay, select, showError } from './family-common.js';
import { requireSession } from './session-gate.js';

const MAX_FILE = 10 * 1024 * 1024;
const TYPES = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

const app = document.getElementById('famille-app');
let members = [];

function memberName(id) {
  const m = members.find((x) => x.id === id);
  return m ? `${m.given_name} ${m.family_name}` : 'Tout le foyer';
}

async function loadAll() {
  const items = [];
  let cursor = null;
  do {
    const page = await api.get(`${ACCOUNT}/me/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} octets`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} Ko`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;
}

function documentCard(doc, refresh) {
  const state = expiry(doc.valid_until);
  const badge = state.state === 'expired' || state.state === 'soon'
    ? h('p', { class: `badge badge-${state.state}` }, h('span', { 'aria-hidden': 'true' }, '⚠ '), state.text)
    : h('p', { class: 'doc-validity' }, state.text);
  const downloadBtn = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Télécharger',
    h('span', { class: 'visually-hidden' }, ` ${doc.filename}`));
  downloadBtn.addEventListener('click', async () => {
    try {
      await download(`${ACCOUNT}/me/documents/${doc.id}/content`, doc.filename);
      announce(`Téléchargement de ${doc.filename} lancé.`);
    } catch {
      announce('Le document n’a pas pu être téléchargé.');
    }
  });
  const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger' }, 'Supprimer',
    h('span', { class: 'visually-hidden' }, ` ${doc.filename}`));
  deleteBtn.addEventListener('click', async () => {
    if (!window.confirm(`Supprimer définitivement « ${doc.filename} » ?`)) return;
    try {
      await api.delete(`${ACCOUNT}/me/documents/${doc.id}`);
      announce(`« ${doc.filename} » a été supprimé.`);
      await refresh(true);
    } catch (err) {
      announce(err.message);
    }
  });
  return h('li', { class: 'doc-card', dataset: { kind: doc.kind, id: doc.id } },
    h('h3', {}, doc.filename),
    h('dl', {},
      h('dt', {}, 'Nature'), h('dd', {}, KINDS[doc.kind] || doc.kind),
      h('dt', {}, 'Concerne'), h('dd', {}, memberName(doc.member_id)),
      h('dt', {}, 'Déposé le'), h('dd', {}, formatDay(doc.uploaded_at.slice(0, 10))),
      h('dt', {}, 'Taille'), h('dd', {}, sizeText(doc.size))),
    badge,
    h('div', { class: 'doc-actions' }, downloadBtn, deleteBtn));
}

function uploadForm(refresh) {
  const summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert' });
  const file = h('input', { type: 'file', name: 'file', required: true, accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', dataset: { field: 'content' } });
  const kind = select(KINDS, { name: 'kind', required: true, empty: 'Choisissez la nature du document', dataset: { field: 'kind' } });
  const member = select(Object.fromEntries(members.map((m) => [m.id, `${m.given_name} ${m.family_name}`])),
    { name: 'member', empty: 'Tout le foyer', dataset: { field: 'member_id' } });
  const until = h('input', { type: 'date', name: 'valid_until', dataset: { field: 'valid_until' } });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Déposer le document');
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    field({ id: 'doc-fichier', label: 'Fichier', control: file, hint: 'PDF, JPEG ou PNG, 10 Mo au plus.' }),
    field({ id: 'doc-nature', label: 'Nature du document', control: kind }),
    field({ id: 'doc-membre', label: 'Personne concernée', control: member, hint: 'Facultatif : laissez « Tout le foyer » pour un document commun.' }),
    field({ id: 'doc-validite', label: 'Fin de validité', control: until, hint: 'Facultatif : la date d’expiration indiquée sur le document.' }),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const f = file.files[0];
    const local = [];
    if (!f) local.push({ field: 'content', code: 'required', message: 'Choisissez le fichier à déposer.' });
    if (!kind.value) local.push({ field: 'kind', code: 'required', message: 'Choisissez la nature du document.' });
    const ext = f ? (f.name.split('.').pop() || '').toLowerCase() : '';
    const type = f ? (Object.values(TYPES).includes(f.type) ? f.type : TYPES[ext]) : '';
    if (f && !type) local.push({ field: 'content', code: 'not_allowed', message: 'Seuls les fichiers PDF, JPEG et PNG sont acceptés.' });
    if (f && f.size > MAX_FILE) local.push({ field: 'content', code: 'out_of_range', message: 'Le fichier dépasse 10 Mo.' });
    if (local.length) {
      showError(summary, form, new ApiError({ status: 422, code: 'validation_failed', message: 'Certaines informations ne sont pas valides.', fields: local }));
      return;
    }
    const headers = { 'Content-Type': type, 'X-Document-Kind': kind.value, 'X-Filename': encodeURIComponent(f.name) };
    if (member.value) headers['X-Member-Id'] = member.value;
    if (until.value) headers['X-Valid-Until'] = until.value;
    submit.disabled = true;
    try {
      const doc = await api.post(`${ACCOUNT}/me/documents`, f, { headers });
      form.reset();
      announce(`« ${doc.filename} » a été déposé dans vos documents.`);
      await refresh(true);
    } catch (err) {
      showError(summary, form, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function render(focusList = false) {
  let docs;
  try {
    const household = await api.get(`${ACCOUNT}/me/household`);
    members = household.members;
    docs = await loadAll();
  } catch (err) {
    replaceChildren(app, h('div', { class: 'error-summary' }, h('p', {}, err.message)));
    return;
  }
  const warnings = docs.filter((d) => ['expired', 'soon'].includes(expiry(d.valid_until).state)).length;
  const list = docs.length
    ? h('ul', { class: 'doc-list' }, docs.map((d) => documentCard(d, render)))
    : h('p', { class: 'empty-state' }, 'Aucun document pour le moment. Déposez votre premier justificatif ci-dessus.');
  const heading = h('h2', { id: 'liste-documents', tabindex: '-1' }, `Documents du foyer (${docs.length})`);
  replaceChildren(app,
    h('section', { 'aria-labelledby': 'depot-titre', class: 'family-section' },
      h('h2', { id: 'depot-titre' }, 'Déposer un document'),
      uploadForm(render)),
    h('section', { 'aria-labelledby': 'liste-documents', class: 'family-section' },
      heading,
      warnings ? h('p', { class: 'notice' }, `${warnings} document(s) expiré(s) ou expirant dans les 30 jours : pensez à les renouveler.`) : null,
      list));
  if (focusList) heading.focus();
}

if (await requireSession(app)) await render();
