// One request for an agent: answers, documents (download is audited), timeline, messages,
// private notes, assignment and the allowed changes of status.

import { api, claims, download } from '/lib/api.js';
import { answerText, formatDay } from '/lib/answers.js';
import { h, replaceChildren } from '/lib/dom.js';
import { showErrors } from '/lib/forms.js';
import { KIND_LABELS, SERVICE_LABELS, spaLink, STATUS_LABELS, subnav, TS, when } from './ts-common.js';

// What the citizen receives for each decision (services/account/templates/request_*.txt).
const CITIZEN_MAIL = {
  accepted: (r, text) => `Bonne nouvelle : votre demande « ${r.procedure.title} » (référence ${r.reference}) a été acceptée.${text ? `\n\n${text}` : ''}`,
  rejected: (r, text) => `Votre demande « ${r.procedure.title} » (référence ${r.reference}) n’a pas pu être acceptée, pour la raison suivante :\n\n${text || '(motif à écrire)'}`,
};

const ACTIONS = {
  received: [['in_progress', 'Prendre en charge'], ['incomplete', 'Demander une pièce ou une information']],
  in_progress: [['accepted', 'Accepter'], ['rejected', 'Refuser'], ['incomplete', 'Demander une pièce ou une information']],
};

// The message of the last action, shown by the next rendering (reload draws a new page).
let flash = '';

export async function renderRequest(main) {
  const id = new URLSearchParams(location.search).get('id');
  // Success is shown, not only announced.
  const status = h('p', { role: 'status', class: 'admin-flash', 'aria-live': 'polite', hidden: !flash }, flash);
  flash = '';
  const errors = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const fail = (err) => showErrors(errors, null, {
    items: (err.fields?.length ? err.fields : [{ message: err.message }]).map((f) => ({ message: f.message })),
  });
  let r;
  try {
    r = await api.get(`${TS}/requests/${id}`);
  } catch (err) {
    replaceChildren(main, h('h1', {}, 'Demande introuvable'), subnav(''), h('p', {}, err.message));
    return;
  }
  const defs = Object.fromEntries((r.procedure.fields || []).map((f) => [f.name, f]));
  const memberName = (mid) => { const b = r.beneficiaries.find((x) => x.member_id === mid); return b ? `${b.given_name} ${b.family_name}` : mid; };
  const reload = async (text) => { flash = text; await renderRequest(main); main.querySelector('#ts-agent-status')?.focus(); };
  const comment = h('textarea', { id: 'ts-action-comment', rows: 3 });
  // Decisions the citizen is told about ask for confirmation, showing the message she will receive.
  const confirmBox = h('div', { class: 'ts-confirm', role: 'alertdialog', 'aria-labelledby': 'ts-confirm-title', tabindex: '-1', hidden: true });
  const run = async (to) => {
    try {
      await api.post(`${TS}/requests/${r.id}/transition`, { to, comment: comment.value || undefined });
      await reload(`Statut : ${STATUS_LABELS[to]}.`);
    } catch (err) { fail(err); }
  };
  const ask = (to, label) => {
    const text = comment.value.trim();
    replaceChildren(confirmBox,
      h('h3', { id: 'ts-confirm-title' }, `${label} la demande ${r.reference || ''} ?`),
      h('p', {}, 'Le demandeur recevra ce message (courriel et espace personnel) :'),
      h('blockquote', { class: 'ts-mail-preview' }, CITIZEN_MAIL[to](r, text)),
      to !== 'accepted' && !text ? h('p', { class: 'ts-warning' }, 'Écrivez d’abord le motif dans « Message au demandeur » : il est obligatoire.') : null,
      h('div', { class: 'ts-actions' },
        h('button', { type: 'button', class: 'btn', disabled: to !== 'accepted' && !text, onclick: () => run(to) }, `Confirmer : ${label.toLowerCase()}`),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { confirmBox.hidden = true; comment.focus(); } }, 'Annuler')));
    confirmBox.hidden = false;
    confirmBox.focus();
  };
  const actions = (ACTIONS[r.status] || []).map(([to, label]) => h('button', {
    type: 'button', class: to === 'rejected' ? 'btn btn-secondary' : 'btn', dataset: { to },
    onclick: () => (to === 'accepted' || to === 'rejected' ? ask(to, label) : run(to)),
  }, label));
  const mkForm = (idName, label, button, path) => {
    const ta = h('textarea', { id: idName, rows: 3, required: true });
    const f = h('form', {}, h('div', { class: 'field' }, h('label', { for: idName }, label), ta), h('button', { type: 'submit', class: 'btn btn-secondary' }, button));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try { await api.post(`${TS}/requests/${r.id}/${path}`, { body: ta.value }); await reload('Enregistré.'); } catch (err) { fail(err); }
    });
    return f;
  };
  const me = claims().sub;
  replaceChildren(main,
    h('h1', {}, `Demande ${r.reference || ''} — ${r.procedure.title}`),
    subnav(''),
    h('p', {}, spaLink('/admin/demarches', 'Retour à la file')),
    status, errors,
    h('dl', { class: 'ts-summary' },
      h('dt', {}, 'Statut'), h('dd', { id: 'ts-agent-status', tabindex: '-1' }, STATUS_LABELS[r.status] || r.status, r.late ? ' — en retard' : ''),
      h('dt', {}, 'Demandeur'), h('dd', {}, r.citizen ? `${r.citizen.given_name} ${r.citizen.family_name} (${r.citizen.email})` : r.user_id),
      h('dt', {}, 'Pour'), h('dd', {}, r.beneficiaries.map((b) => `${b.given_name} ${b.family_name}${b.birth_date ? ` (né·e le ${formatDay(b.birth_date)})` : ''}`).join(', ') || 'le demandeur'),
      h('dt', {}, 'Service'), h('dd', {}, SERVICE_LABELS[r.service] || r.service),
      h('dt', {}, 'Reçue le'), h('dd', {}, when(r.received_at)),
      h('dt', {}, 'Prise en charge par'), h('dd', { id: 'ts-assignee' }, !r.assignee_id ? 'personne pour le moment'
        : r.assignee_id === me ? 'vous' : r.assignee ? `${r.assignee.given_name} ${r.assignee.family_name}` : 'un autre agent',
        r.assignee_id !== me ? [' ', h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
          try { await api.post(`${TS}/requests/${r.id}/assign`, {}); await reload('La demande vous est attribuée.'); } catch (err) { fail(err); }
        } }, 'Me l’attribuer')] : null)),
    actions.length ? h('section', { 'aria-labelledby': 'ts-actions-title', class: 'ts-agent-actions' },
      h('h2', { id: 'ts-actions-title' }, 'Traiter la demande'),
      h('div', { class: 'field' }, h('label', { for: 'ts-action-comment' }, 'Message au demandeur (obligatoire pour une pièce manquante ou un refus)'), comment),
      h('div', { class: 'ts-actions' }, actions), confirmBox) : null,
    h('h2', {}, 'Réponses'),
    h('dl', { class: 'ts-summary' }, Object.entries(r.answers).map(([k, v]) => [h('dt', {}, defs[k]?.label || k), h('dd', {}, answerText(defs[k], v, memberName))])),
    h('h2', {}, 'Pièces'),
    r.documents.length ? h('ul', {}, r.documents.map((d) => h('li', {}, `${KIND_LABELS[d.kind] || d.kind} : ${d.filename} `,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => download(`${TS}/requests/${r.id}/documents/${d.id}`, d.filename).catch(fail) }, 'Télécharger',
        h('span', { class: 'visually-hidden' }, ` ${d.filename}`))))) : h('p', {}, 'Aucune pièce.'),
    h('h2', {}, 'Historique'),
    h('ol', { class: 'ts-timeline' }, r.timeline.map((s) => h('li', {}, `${when(s.at)} — ${STATUS_LABELS[s.to] || s.to}`, s.comment ? ` : ${s.comment}` : ''))),
    h('h2', {}, 'Messages'),
    h('ul', { class: 'ts-messages' }, r.messages.map((m) => h('li', {}, `${when(m.created_at)} — ${m.author_role === 'agent' ? 'Service' : 'Demandeur'} : ${m.body}`))),
    mkForm('ts-msg', 'Écrire au demandeur', 'Envoyer le message', 'messages'),
    h('h2', {}, 'Notes internes'),
    h('ul', {}, (r.notes || []).map((n) => h('li', {}, `${when(n.created_at)} : ${n.body}`))),
    mkForm('ts-note', 'Ajouter une note (jamais visible du demandeur)', 'Enregistrer la note', 'notes'));
}
