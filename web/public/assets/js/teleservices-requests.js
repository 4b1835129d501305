// mes-demandes.html: the citizen's requests with their status and next step; one request with
// its timeline, documents and messages, adding a missing document, resubmitting, cancelling.

import { api } from '/lib/api.js';
import { formatCents, h, replaceChildren } from '/lib/dom.js';
import { showErrors } from '/lib/forms.js';
import { ratingForm } from '/lib/rating.js';
import { requireSession } from './session-gate.js';
import { ACCOUNT, formatDateTime, KIND_LABELS, params, randomKey, statusBadge, STATUS_LABELS, TS, tsFieldMessage } from './teleservices-common.js';

const root = document.getElementById('ts-requests');
const status = document.getElementById('ts-status');

// Success is shown, not only announced: the status line is a visible notice.
function say(text) {
  if (!status) return;
  status.textContent = text;
  status.hidden = !text;
}

// What waits for the citizen comes first (a request to complete, then a draft), then the newest.
const ACTION_FIRST = { incomplete: 0, draft: 1 };

function order(a, b) {
  const ra = ACTION_FIRST[a.status] ?? 2, rb = ACTION_FIRST[b.status] ?? 2;
  if (ra !== rb) return ra - rb;
  return String(b.updated_at || b.created_at).localeCompare(String(a.updated_at || a.created_at));
}

async function renderList() {
  const data = await api.get(`${TS}/me/requests?limit=100`);
  // A deleted draft was never sent: it is gone for the citizen.
  const items = data.items.filter((r) => !(r.status === 'cancelled' && !r.reference)).sort(order);
  const note = params().get('brouillon') === 'supprime' ? h('p', { class: 'notice notice-success', role: 'status' }, 'Le brouillon a été supprimé.') : null;
  if (!items.length) {
    replaceChildren(root, note, h('p', { class: 'empty-state' }, 'Vous n’avez encore fait aucune demande. ',
      h('a', { href: '/demarches.html' }, 'Voir les démarches en ligne'), '.'));
    return;
  }
  replaceChildren(root, note, h('ul', { class: 'ts-request-list' }, items.map((r) => h('li', { class: `ts-request-item${r.status in ACTION_FIRST ? ' ts-request-action' : ''}`, dataset: { status: r.status } },
    h('h2', {}, h('a', { href: r.status === 'draft' ? `/demarche.html?slug=${encodeURIComponent(r.procedure.slug)}&draft=${r.id}` : `/mes-demandes.html?id=${r.id}` },
      r.procedure.title, r.reference ? ` — ${r.reference}` : '')),
    h('p', {}, statusBadge(r.status), r.beneficiaries.length ? ` · pour ${r.beneficiaries.map((b) => b.given_name).join(', ')}` : '',
      ` · ${r.status === 'draft' ? 'commencée' : 'mise à jour'} le ${formatDateTime(r.updated_at || r.created_at)}`),
    h('p', { class: 'ts-meta' }, r.status === 'incomplete' ? h('strong', {}, 'À faire : compléter la demande. ') : null, `Prochaine étape : ${r.next_step}`)))));
}

/** The acknowledgement of several procedures sent at once: every reference, one page. */
async function renderBundle(ids) {
  const list = await Promise.all(ids.slice(0, 10).map((id) => api.get(`${TS}/requests/${id}`)));
  replaceChildren(root,
    h('div', { class: 'notice notice-success', role: 'status' },
      h('h2', {}, `Vos ${list.length} demandes ont bien été envoyées`),
      h('p', {}, 'Un accusé de réception vous a été adressé par courriel. Conservez ces références :'),
      h('ul', { class: 'ts-bundle-refs' }, list.map((r) => h('li', {},
        h('a', { href: `/mes-demandes.html?id=${r.id}` }, r.procedure.title), ' — référence ', h('strong', {}, r.reference),
        r.beneficiaries.length ? ` (pour ${r.beneficiaries.map((b) => b.given_name).join(', ')})` : '')))),
    h('p', {}, h('a', { href: '/mes-demandes.html' }, 'Toutes mes demandes')));
}

function timeline(r) {
  return h('ol', { class: 'ts-timeline' }, r.timeline.map((s) => h('li', {},
    h('p', {}, h('strong', {}, STATUS_LABELS[s.to] || s.to), ' — ', h('time', { datetime: s.at }, formatDateTime(s.at))),
    s.comment ? h('p', { class: 'ts-comment' }, s.comment) : null)));
}

/**
 * The box where the citizen answers a request for more: the agent's words first, the vault's
 * documents of the kinds the procedure asks for, a file, a reply; sending it back unchanged
 * takes a second, deliberate click.
 */
function completeSection(r, vaultItems, { fail, reload }) {
  const id = r.id;
  const asked = [...r.timeline].reverse().find((s) => s.to === 'incomplete');
  const since = asked?.at || '';
  const kinds = [...new Set((r.procedure.required_documents || []).map((d) => d.kind))];
  // The kinds the agent most likely asks for (the procedure's) come first; an agent may ask for any.
  const usable = vaultItems.filter((v) => !r.documents.some((d) => d.vault_document_id === v.id));
  const option = (v) => h('option', { value: v.id }, `${KIND_LABELS[v.kind] || v.kind} : ${v.filename}`);
  const mine = usable.filter((v) => kinds.includes(v.kind)), others = usable.filter((v) => !kinds.includes(v.kind));
  const pick = h('select', { id: 'ts-vault-pick' }, h('option', { value: '' }, '— Choisir un document de mon espace —'),
    mine.length ? h('optgroup', { label: 'Pièces de cette démarche' }, mine.map(option)) : null,
    others.length ? h('optgroup', { label: 'Mes autres documents' }, others.map(option)) : null);
  const kind = h('select', { id: 'ts-upload-kind' }, [...kinds, ...Object.keys(KIND_LABELS).filter((k) => !kinds.includes(k))]
    .map((k) => h('option', { value: k }, KIND_LABELS[k] || k)));
  const file = h('input', { type: 'file', id: 'ts-upload-file', accept: 'application/pdf,image/jpeg,image/png' });
  const reply = h('textarea', { id: 'ts-complete-reply', rows: 3, 'aria-describedby': asked?.comment ? 'ts-complete-asked' : null });
  const warning = h('div', { class: 'ts-warning', role: 'alert', hidden: true });
  const changed = () => r.documents.some((d) => (d.attached_at || '') > since) || r.messages.some((m) => m.author_role !== 'agent' && m.created_at > since);
  const resend = async (force) => {
    const text = reply.value.trim();
    if (!force && !text && !changed()) {
      replaceChildren(warning, h('p', {}, 'Vous n’avez ajouté aucun document ni écrit de réponse depuis la demande du service. Votre demande risque de revenir incomplète.'),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => resend(true) }, 'Renvoyer quand même'));
      warning.hidden = false;
      return;
    }
    try {
      if (text) await api.post(`${TS}/requests/${id}/messages`, { body: text });
      await api.post(`${TS}/requests/${id}/submit`, undefined, { headers: { 'Idempotency-Key': randomKey() } });
      await reload('Demande renvoyée au service.');
    } catch (err) { fail(err); }
  };
  return h('section', { class: 'ts-complete', 'aria-labelledby': 'ts-complete-title' },
    h('h2', { id: 'ts-complete-title' }, 'Compléter ma demande'),
    asked?.comment ? h('div', { class: 'ts-asked', id: 'ts-complete-asked' },
      h('p', { class: 'ts-meta' }, `Le service vous a écrit le ${formatDateTime(asked.at)} :`),
      h('blockquote', { class: 'ts-comment' }, asked.comment)) : null,
    usable.length ? [
      h('div', { class: 'field' }, h('label', { for: 'ts-vault-pick' }, 'Ajouter un document de mon espace'), pick),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
        if (!pick.value) return;
        try { await api.post(`${TS}/requests/${id}/documents`, { document_id: pick.value }); await reload('Document ajouté.'); } catch (err) { fail(err); }
      } }, 'Ajouter ce document')] : h('p', {}, 'Tous les documents de votre espace sont déjà joints.'),
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
    h('div', { class: 'field' }, h('label', { for: 'ts-complete-reply' }, 'Votre réponse au service (facultatif)'), reply),
    warning,
    h('button', { type: 'button', class: 'btn', onclick: () => resend(false) }, 'Renvoyer ma demande complétée'));
}

async function renderOne(id) {
  const [r, vault] = await Promise.all([
    api.get(`${TS}/requests/${id}`),
    api.get(`${ACCOUNT}/me/documents?limit=100`).catch(() => ({ items: [] })),
  ]);
  document.title = `${r.procedure.title} — ${document.title.split(' — ').slice(-1)[0]}`;
  const errors = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const fail = (err) => showErrors(errors, null, {
    items: err.fields?.length ? err.fields.map((e) => ({ message: tsFieldMessage(e) })) : [{ message: err.message }],
  });
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
  if (r.status === 'incomplete') complete = completeSection(r, vault.items, { fail, reload });
  const cancellable = ['draft', 'submitted', 'received', 'incomplete'].includes(r.status);
  // A procedure with a fee: its invoice (civitas-payment, keyed by the request) once accepted.
  const fee = h('div', { id: 'ts-fee' });
  if (r.status === 'accepted') {
    api.get('/api/payment/v1/me/invoices').then(({ items }) => {
      const inv = items.find((i) => i.source_service === 'teleservices' && i.source_key === r.id);
      if (!inv) return;
      replaceChildren(fee, h('p', { class: 'notice' }, `Frais de dossier : ${formatCents(inv.total_cents)} (facture n° ${inv.number}) — `,
        inv.status === 'open' ? h('a', { href: '/factures.html' }, 'à payer dans « Mes factures »') : 'payés ; le reçu est dans « Mes factures ».'));
    }).catch(() => {});
  }
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
    fee,
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
  if (!(await requireSession(root, 'Pour suivre vos demandes, connectez-vous à votre espace.'))) return;
  const id = params().get('id');
  try {
    const lot = (params().get('lot') || '').split(',').filter((x) => /^[0-9a-f-]{36}$/i.test(x));
    if (id) await renderOne(id);
    else if (lot.length) await renderBundle(lot);
    else await renderList();
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
  }
}

start();
