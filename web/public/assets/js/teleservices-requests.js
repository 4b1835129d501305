// mes-demandes.html: the citizen's requests with their status and next step; one request with
// its timeline, documents and messages, adding a missing document, resubmitting, cancelling.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { ratingForm } from '/lib/rating.js';
import { ACCOUNT, ensureSignedIn, formatDateTime, KIND_LABELS, params, randomKey, statusBadge, STATUS_LABELS, TS, tsFieldMessage } from './teleservices-common.js';

const root = document.getElementById('ts-requests');
const status = document.getElementById('ts-status');

function say(text) {
  if (status) status.textContent = text;
}

async function renderList() {
  const data = await api.get(`${TS}/me/requests?limit=50`);
  if (!data.items.length) {
    replaceChildren(root, h('p', { class: 'empty-state' }, 'Vous n’avez encore fait aucune demande. ',
      h('a', { href: '/demarches.html' }, 'Voir les démarches en ligne'), '.'));
    return;
  }
  replaceChildren(root, h('ul', { class: 'ts-request-list' }, data.items.map((r) => h('li', { class: 'ts-request-item' },
    h('h2', {}, h('a', { href: r.status === 'draft' ? `/demarche.html?slug=${encodeURIComponent(r.procedure.slug)}&draft=${r.id}` : `/mes-demandes.html?id=${r.id}` },
      r.procedure.title, r.reference ? ` — ${r.reference}` : '')),
    h('p', {}, statusBadge(r.status), r.beneficiaries.length ? ` · pour ${r.beneficiaries.map((b) => b.given_name).join(', ')}` : ''),
    h('p', { class: 'ts-meta' }, `Prochaine étape : ${r.next_step}`)))));
}

function timeline(r) {
  return h('ol', { class: 'ts-timeline' }, r.timeline.map((s) => h('li', {},
    h('p', {}, h('strong', {}, STATUS_LABELS[s.to] || s.to), ' — ', h('time', { datetime: s.at }, formatDateTime(s.at))),
    s.comment ? h('p', { class: 'ts-comment' }, s.comment) : null)));
}

async function renderOne(id) {
  const [r, vault] = await Promise.all([
    api.get(`${TS}/requests/${id}`),
    api.get(`${ACCOUNT}/me/documents?limit=100`).catch(() => ({ items: [] })),
  ]);
  document.title = `${r.procedure.title} — ${document.title.split(' — ').slice(-1)[0]}`;
  const errors = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const fail = (err) => {
    const items = err.fields?.length ? err.fields.map((e) => h('li', {}, tsFieldMessage(e))) : [h('li', {}, err.message)];
    replaceChildren(errors, h('ul', {}, items));
    errors.hidden = false;
    errors.focus();
  };
  const reload = async (text) => { await renderOne(id); say(text); };
  const msg = h('textarea', { id: 'ts-message', name: 'body', rows: 3, required: true });
  const msgForm = h('form', { class: 'ts-message-form' },
    h('div', { class: 'field' }, h('label', { for: 'ts-message' }, 'Écrire au service'), msg),
    h('button', { type: 'submit', class: 'btn' }, 'Envoyer le message'));
  msgForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await api.post(`${TS}/requests/${id}/messages`, { body: msg.value }); await reload('Message envoyé.'); } catch (err) { fail(err); }
  });
  let complete = null;
  if (r.status === 'incomplete') {
    const pick = h('select', { id: 'ts-vault-pick' }, h('option', { value: '' }, '— Choisir un document de mon espace —'),
      vault.items.filter((v) => !r.documents.some((d) => d.vault_document_id === v.id)).map((v) => h('option', { value: v.id }, `${KIND_LABELS[v.kind] || v.kind} : ${v.filename}`)));
    const kind = h('select', { id: 'ts-upload-kind' }, Object.entries(KIND_LABELS).map(([k, l]) => h('option', { value: k }, l)));
    const file = h('input', { type: 'file', id: 'ts-upload-file', accept: 'application/pdf,image/jpeg,image/png' });
    complete = h('section', { class: 'ts-complete', 'aria-labelledby': 'ts-complete-title' },
      h('h2', { id: 'ts-complete-title' }, 'Compléter ma demande'),
      h('div', { class: 'field' }, h('label', { for: 'ts-vault-pick' }, 'Ajouter un document de mon espace'), pick),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
        if (!pick.value) return;
        try { await api.post(`${TS}/requests/${id}/documents`, { document_id: pick.value }); await reload('Document ajouté.'); } catch (err) { fail(err); }
      } }, 'Ajouter ce document'),
      h('div', { class: 'field' }, h('label', { for: 'ts-upload-kind' }, 'Ou envoyer un fichier : type de pièce'), kind),
      h('div', { class: 'field' }, h('label', { for: 'ts-upload-file' }, 'Fichier (PDF, JPEG ou PNG, 10 Mo au plus)'), file),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
        const f = file.files[0];
        if (!f) return;
        try {
          await api.post(`${TS}/requests/${id}/documents?${new URLSearchParams({ kind: kind.value, filename: f.name })}`, f);
          await reload('Fichier envoyé.');
        } catch (err) { fail(err); }
      } }, 'Envoyer le fichier'),
      h('button', { type: 'button', class: 'btn', onclick: async () => {
        try { await api.post(`${TS}/requests/${id}/submit`, undefined, { headers: { 'Idempotency-Key': randomKey() } }); await reload('Demande renvoyée au service.'); } catch (err) { fail(err); }
      } }, 'Renvoyer ma demande complétée'));
  }
  const cancellable = ['draft', 'submitted', 'received', 'incomplete'].includes(r.status);
  replaceChildren(root,
    h('p', {}, h('a', { href: '/mes-demandes.html' }, 'Toutes mes demandes')),
    h('h2', { id: 'ts-request-title' }, r.procedure.title),
    params().get('envoyee') ? h('p', { class: 'notice' }, `Votre demande a bien été envoyée. Référence : ${r.reference}. Un accusé de réception vous a été adressé.`) : null,
    errors,
    h('dl', { class: 'ts-summary' },
      h('dt', {}, 'Référence'), h('dd', {}, r.reference || '—'),
      h('dt', {}, 'Statut'), h('dd', { id: 'ts-request-status' }, statusBadge(r.status)),
      h('dt', {}, 'Prochaine étape'), h('dd', {}, r.next_step),
      r.beneficiaries.length ? [h('dt', {}, 'Pour'), h('dd', {}, r.beneficiaries.map((b) => `${b.given_name} ${b.family_name}`).join(', '))] : null),
    complete,
    ['accepted', 'rejected'].includes(r.status) ? ratingForm(r.id) : null,
    h('h2', {}, 'Historique'), timeline(r),
    h('h2', {}, 'Pièces jointes'),
    h('ul', {}, r.documents.map((d) => h('li', {}, `${KIND_LABELS[d.kind] || d.kind} : ${d.filename}`))),
    h('h2', {}, 'Messages'),
    r.messages.length ? h('ul', { class: 'ts-messages' }, r.messages.map((m) => h('li', { class: `from-${m.author_role}` },
      h('p', { class: 'ts-meta' }, m.author_role === 'agent' ? 'Le service' : 'Vous', ' — ', formatDateTime(m.created_at)), h('p', {}, m.body))))
      : h('p', {}, 'Aucun message pour le moment.'),
    !['draft', 'cancelled'].includes(r.status) ? msgForm : null,
    cancellable ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      if (!confirm('Annuler cette demande ?')) return;
      try { await api.post(`${TS}/requests/${id}/cancel`, {}); await reload('Demande annulée.'); } catch (err) { fail(err); }
    } }, 'Annuler la demande') : null);
}

async function start() {
  if (!root) return;
  await ensureSignedIn(root, 'Pour suivre vos demandes, connectez-vous à votre espace.');
  const id = params().get('id');
  try {
    if (id) await renderOne(id);
    else await renderList();
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
  }
}

start();
