// Procedure builder: the catalogue as data — title, service, audience, fields (with types,
// options, visible_if), required documents, SLA and fee — with a live preview of the form.
// Saving a published procedure creates a new version; running requests keep theirs.

import { api, exchange } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { atLeast } from '../access.js';
import { KIND_LABELS, SERVICE_LABELS, subnav, TS } from './ts-common.js';

const TYPES = ['text', 'textarea', 'number', 'date', 'email', 'phone', 'select', 'multiselect', 'checkbox', 'member'];
const TYPE_LABELS = { text: 'Texte court', textarea: 'Texte long', number: 'Nombre', date: 'Date', email: 'Courriel', phone: 'Téléphone', select: 'Liste', multiselect: 'Choix multiples', checkbox: 'Case à cocher', member: 'Membre du foyer' };

function blank() {
  return { slug: '', title: '', description_md: '', service: 'scolaire', life_event: null, audience: 'self', member_filter: null,
    fields: [], required_documents: [], fee_cents: null, sla_days: 6, status: 'draft' };
}

function input(id, label, value, attrs = {}) {
  const el = h('input', { id, value: value ?? '', ...attrs });
  return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
}

function preview(p) {
  return h('div', { class: 'ts-preview' }, h('h3', {}, p.title || 'Sans titre'),
    p.fields.map((f, i) => {
      const id = `pv-${i}`;
      let control;
      const opts = (f.options || []).map((o) => (typeof o === 'string' ? o : o.label));
      if (f.type === 'textarea') control = h('textarea', { id, disabled: true });
      else if (f.type === 'select' || f.type === 'member') control = h('select', { id, disabled: true }, opts.map((o) => h('option', {}, o)));
      else if (f.type === 'checkbox' || f.type === 'multiselect') control = h('input', { id, type: 'checkbox', disabled: true });
      else control = h('input', { id, disabled: true, type: { number: 'number', date: 'date', email: 'email', phone: 'tel' }[f.type] || 'text' });
      return h('div', { class: 'field' }, h('label', { for: id }, f.label || f.name, f.required ? ' (obligatoire)' : '',
        f.visible_if ? ` — si ${f.visible_if.field} = ${JSON.stringify(f.visible_if.equals ?? f.visible_if.in)}` : ''), control);
    }),
    h('p', {}, 'Pièces : ', p.required_documents.map((d) => `${d.label}${d.per_member ? ' (par personne)' : ''}${d.optional ? ' (facultative)' : ''}`).join(', ') || 'aucune'));
}

async function editor(main, slug) {
  let p = blank(), etag = null;
  if (slug) {
    try {
      ({ data: p, etag } = await exchange('GET', `${TS}/procedures/${encodeURIComponent(slug)}`));
    } catch (err) {
      replaceChildren(main, h('h1', {}, 'Procédure'), subnav('/admin/demarches/procedures'), h('p', { role: 'alert' }, err.message));
      return;
    }
  }
  const errors = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const pv = h('div', { 'aria-live': 'polite' });
  const [title, titleField] = input('p-title', 'Titre', p.title);
  const [slugIn, slugField] = input('p-slug', 'Identifiant (slug)', p.slug, { readonly: !!slug });
  const [service, serviceField] = input('p-service', 'Service', p.service);
  const [sla, slaField] = input('p-sla', 'Délai de traitement (jours)', p.sla_days, { type: 'number', min: 1, max: 365 });
  const [fee, feeField] = input('p-fee', 'Frais (centimes)', p.fee_cents, { type: 'number', min: 0 });
  const desc = h('textarea', { id: 'p-desc', rows: 3 });
  desc.value = p.description_md;
  const audience = h('select', { id: 'p-audience' }, [['self', 'Le demandeur'], ['member', 'Un ou des membres du foyer'], ['household', 'Tout le foyer']]
    .map(([v, l]) => h('option', { value: v, selected: p.audience === v }, l)));
  const status = h('select', { id: 'p-status' }, [['draft', 'Brouillon'], ['published', 'Publiée']].map(([v, l]) => h('option', { value: v, selected: p.status === v }, l)));
  const fieldsBox = h('div');
  const docsBox = h('div');
  const sync = () => {
    p.title = title.value; p.slug = slugIn.value; p.service = service.value; p.description_md = desc.value;
    p.audience = audience.value; p.status = status.value; p.sla_days = Number(sla.value) || 6;
    p.fee_cents = fee.value === '' ? null : Number(fee.value);
    if (p.audience === 'self') p.member_filter = null;
    replaceChildren(pv, preview(p));
  };
  const drawFields = () => replaceChildren(fieldsBox, p.fields.map((f, i) => {
    const name = h('input', { id: `f${i}-name`, value: f.name, oninput: (e) => { f.name = e.target.value; sync(); } });
    const label = h('input', { id: `f${i}-label`, value: f.label, oninput: (e) => { f.label = e.target.value; sync(); } });
    const type = h('select', { id: `f${i}-type`, onchange: (e) => { f.type = e.target.value; sync(); } }, TYPES.map((t) => h('option', { value: t, selected: f.type === t }, TYPE_LABELS[t])));
    const req = h('input', { type: 'checkbox', id: `f${i}-req`, checked: !!f.required, onchange: (e) => { f.required = e.target.checked; sync(); } });
    const opts = h('input', { id: `f${i}-opts`, value: (f.options || []).map((o) => (typeof o === 'string' ? o : o.value)).join(', '),
      oninput: (e) => { const v = e.target.value.split(',').map((s) => s.trim()).filter(Boolean); if (v.length) f.options = v; else delete f.options; sync(); } });
    return h('fieldset', { class: 'ts-builder-row' }, h('legend', {}, `Champ ${i + 1}`),
      h('div', { class: 'field' }, h('label', { for: `f${i}-name` }, 'Nom technique'), name),
      h('div', { class: 'field' }, h('label', { for: `f${i}-label` }, 'Libellé'), label),
      h('div', { class: 'field' }, h('label', { for: `f${i}-type` }, 'Type'), type),
      h('div', { class: 'field' }, h('label', { for: `f${i}-opts` }, 'Options (séparées par des virgules)'), opts),
      h('div', { class: 'field ts-check' }, req, h('label', { for: `f${i}-req` }, 'Obligatoire')),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { p.fields.splice(i, 1); drawFields(); sync(); } }, 'Retirer ce champ'));
  }));
  const drawDocs = () => replaceChildren(docsBox, p.required_documents.map((d, i) => {
    const kind = h('select', { id: `d${i}-kind`, onchange: (e) => { d.kind = e.target.value; sync(); } }, Object.entries(KIND_LABELS).map(([k, l]) => h('option', { value: k, selected: d.kind === k }, l)));
    const label = h('input', { id: `d${i}-label`, value: d.label, oninput: (e) => { d.label = e.target.value; sync(); } });
    const per = h('input', { type: 'checkbox', id: `d${i}-per`, checked: !!d.per_member, onchange: (e) => { d.per_member = e.target.checked; sync(); } });
    const opt = h('input', { type: 'checkbox', id: `d${i}-opt`, checked: !!d.optional, onchange: (e) => { d.optional = e.target.checked; sync(); } });
    return h('fieldset', { class: 'ts-builder-row' }, h('legend', {}, `Pièce ${i + 1}`),
      h('div', { class: 'field' }, h('label', { for: `d${i}-kind` }, 'Type de pièce'), kind),
      h('div', { class: 'field' }, h('label', { for: `d${i}-label` }, 'Libellé'), label),
      h('div', { class: 'field ts-check' }, per, h('label', { for: `d${i}-per` }, 'Une par personne')),
      h('div', { class: 'field ts-check' }, opt, h('label', { for: `d${i}-opt` }, 'Facultative')),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { p.required_documents.splice(i, 1); drawDocs(); sync(); } }, 'Retirer cette pièce'));
  }));
  const form = h('form', { class: 'ts-builder', novalidate: true },
    titleField, slugField, serviceField,
    h('div', { class: 'field' }, h('label', { for: 'p-desc' }, 'Description'), desc),
    h('div', { class: 'field' }, h('label', { for: 'p-audience' }, 'Pour qui'), audience),
    slaField, feeField,
    h('div', { class: 'field' }, h('label', { for: 'p-status' }, 'État'), status),
    h('h2', {}, 'Champs du formulaire'), fieldsBox,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { p.fields.push({ name: `champ_${p.fields.length + 1}`, label: 'Nouveau champ', type: 'text', required: false }); drawFields(); sync(); } }, 'Ajouter un champ'),
    h('h2', {}, 'Pièces justificatives'), docsBox,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { p.required_documents.push({ kind: 'other', label: 'Nouvelle pièce', per_member: false, optional: false }); drawDocs(); sync(); } }, 'Ajouter une pièce'),
    h('div', { class: 'ts-actions' }, h('button', { type: 'submit', class: 'btn' }, 'Enregistrer')));
  form.addEventListener('input', sync);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    sync();
    const body = { ...p };
    for (const k of ['id', 'version', 'created_at', 'updated_at']) delete body[k];
    try {
      if (slug) {
        delete body.slug;
        // The ETag read with the procedure: a change made meanwhile by someone else is refused (412).
        await api.patch(`${TS}/procedures/${encodeURIComponent(slug)}`, body, { headers: { 'If-Match': etag } });
      } else {
        await api.post(`${TS}/procedures`, body);
      }
      renderProcedures(main);
    } catch (err) {
      const list = err.fields || [];
      replaceChildren(errors, h('p', {}, err.message), h('ul', {}, list.map((f) => h('li', {}, `${f.field} : ${f.message}`))));
      errors.hidden = false;
      errors.focus();
    }
  });
  drawFields(); drawDocs();
  replaceChildren(main, h('h1', {}, slug ? `Modifier « ${p.title} »` : 'Nouvelle procédure'), subnav('/admin/demarches/procedures'), errors,
    h('div', { class: 'ts-builder-grid' }, form, h('section', { 'aria-labelledby': 'pv-title' }, h('h2', { id: 'pv-title' }, 'Aperçu'), pv)));
  sync();
}

export async function renderProcedures(main) {
  let list = [];
  try {
    list = (await api.get(`${TS}/procedures?all=1`)).items;
  } catch (err) {
    replaceChildren(main, h('h1', {}, 'Procédures'), h('p', {}, err.message));
    return;
  }
  // Only administrators may save a procedure: the others read the catalogue without forms.
  const canEdit = atLeast('admin');
  replaceChildren(main, h('h1', {}, 'Démarches : procédures'), subnav('/admin/demarches/procedures'),
    canEdit ? h('p', {}, h('button', { type: 'button', class: 'btn', onclick: () => editor(main, null) }, 'Nouvelle procédure'))
      : h('p', { class: 'admin-lead' }, 'Seul un administrateur peut créer ou modifier une procédure.'),
    h('table', { class: 'ts-table' }, h('caption', {}, 'Procédures du catalogue'),
      h('thead', {}, h('tr', {}, ['Titre', 'Service', 'Version', 'État', 'Délai', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((p) => h('tr', {}, h('td', {}, p.title), h('td', {}, SERVICE_LABELS[p.service] || p.service), h('td', {}, String(p.version)),
        h('td', {}, p.status === 'published' ? 'Publiée' : 'Brouillon'), h('td', {}, `${p.sla_days} j`),
        h('td', {}, canEdit ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => editor(main, p.slug) }, 'Modifier', h('span', { class: 'visually-hidden' }, ` ${p.title}`)) : ''))))));
}
