// « Ma famille »: the household (compte famille) — address, members (add, edit, remove), the
// quotient familial declared with its certificate, the invitation of a second adult, and joining
// a household from an invitation link (?invitation=<token>).

import { ApiError, api, claims } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field } from '/lib/forms.js';
import { ACCOUNT, CLASSES, QF_STATES, RELATIONS, SEXES, announce, formatDay, select, showError } from './family-common.js';
import { requireSession } from './session-gate.js';

const app = document.getElementById('famille-app');
let me = null;

function summaryBox() {
  return h('div', { class: 'error-summary', tabindex: '-1', role: 'alert' });
}

function localError(fields) {
  return new ApiError({ status: 422, code: 'validation_failed', message: 'Certaines informations ne sont pas valides.', fields });
}

/* --- joining from an invitation link --- */
function invitationPanel(token) {
  const summary = summaryBox();
  const btn = h('button', { type: 'button', class: 'btn' }, 'Rejoindre ce foyer');
  btn.addEventListener('click', async () => {
    try {
      await api.post(`${ACCOUNT}/me/household/join`, { token });
      history.replaceState(null, '', location.pathname);
      announce('Vous avez rejoint le foyer.');
      await render();
    } catch (err) {
      showError(summary, null, err);
    }
  });
  return h('section', { class: 'family-section notice', 'aria-labelledby': 'invitation-titre' },
    h('h2', { id: 'invitation-titre' }, 'Invitation à rejoindre un compte famille'),
    summary,
    h('p', {}, 'Vous avez été invité(e) à partager un compte famille. En le rejoignant, vous partagez l’adresse, les membres, le quotient familial et les documents du foyer. Vos propres documents vous suivent.'),
    btn);
}

/* --- address --- */
function addressSection(household, refresh) {
  const a = household.address || {};
  const summary = summaryBox();
  const line1 = h('input', { type: 'text', name: 'line1', autocomplete: 'address-line1', required: true, maxlength: '200', value: a.line1 || '', dataset: { field: 'address.line1' } });
  const line2 = h('input', { type: 'text', name: 'line2', autocomplete: 'address-line2', maxlength: '200', value: a.line2 || '', dataset: { field: 'address.line2' } });
  const postcode = h('input', { type: 'text', name: 'postcode', autocomplete: 'postal-code', inputmode: 'numeric', required: true, maxlength: '5', value: a.postcode || '', dataset: { field: 'address.postcode' } });
  const city = h('input', { type: 'text', name: 'city', autocomplete: 'address-level2', required: true, maxlength: '100', value: a.city || '', dataset: { field: 'address.city' } });
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    field({ id: 'adresse-ligne1', label: 'Numéro et voie', control: line1 }),
    field({ id: 'adresse-ligne2', label: 'Complément d’adresse (facultatif)', control: line2, hint: 'Bâtiment, étage, lieu-dit…' }),
    h('div', { class: 'field-row' },
      field({ id: 'adresse-cp', label: 'Code postal', control: postcode, hint: '5 chiffres' }),
      field({ id: 'adresse-ville', label: 'Commune', control: city })),
    h('button', { type: 'submit', class: 'btn' }, 'Enregistrer l’adresse'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const address = { line1: line1.value.trim(), postcode: postcode.value.trim(), city: city.value.trim() };
    if (line2.value.trim()) address.line2 = line2.value.trim();
    try {
      await api.patch(`${ACCOUNT}/me/household`, { address }, { headers: { 'If-Match': household.etag } });
      announce('L’adresse du foyer est enregistrée.');
      await refresh();
    } catch (err) {
      showError(summary, form, err);
    }
  });
  return h('section', { class: 'family-section', 'aria-labelledby': 'adresse-titre' },
    h('h2', { id: 'adresse-titre' }, 'Adresse du foyer'),
    household.address ? null : h('p', {}, 'Indiquez l’adresse de votre foyer : elle sert à toutes vos démarches.'),
    form);
}

/* --- members --- */
function memberForm(prefix, member, onSubmit, submitLabel) {
  const linked = Boolean(member?.user_id);
  const summary = summaryBox();
  const relation = select(RELATIONS, { name: 'relation', value: member?.relation || 'child', disabled: linked, dataset: { field: 'relation' } });
  const given = h('input', { type: 'text', name: 'given_name', required: true, maxlength: '100', autocomplete: 'off', value: member?.given_name || '', readonly: linked, dataset: { field: 'given_name' } });
  const family = h('input', { type: 'text', name: 'family_name', required: true, maxlength: '100', autocomplete: 'off', value: member?.family_name || '', readonly: linked, dataset: { field: 'family_name' } });
  const birth = h('input', { type: 'date', name: 'birth_date', required: !linked, value: member?.birth_date || '', dataset: { field: 'birth_date' } });
  const sex = select(SEXES, { name: 'sex', value: member?.sex || '', empty: 'Non précisé', dataset: { field: 'sex' } });
  const klass = select(CLASSES, { name: 'school_class', value: member?.school_class || '', empty: 'Pas scolarisé(e) ou non précisé', dataset: { field: 'school_class' } });
  const classField = field({ id: `${prefix}-classe`, label: 'Classe (année scolaire en cours)', control: klass });
  const syncClass = () => { classField.hidden = relation.value !== 'child'; };
  relation.addEventListener('change', syncClass);
  syncClass();
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    field({ id: `${prefix}-lien`, label: 'Lien avec le foyer', control: relation }),
    field({ id: `${prefix}-prenom`, label: 'Prénom', control: given, hint: linked ? 'Modifiable dans votre profil.' : undefined }),
    field({ id: `${prefix}-nom`, label: 'Nom', control: family }),
    field({ id: `${prefix}-naissance`, label: 'Date de naissance', control: birth }),
    field({ id: `${prefix}-sexe`, label: 'Sexe', control: sex }),
    classField,
    h('button', { type: 'submit', class: 'btn' }, submitLabel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const body = { birth_date: birth.value || undefined, sex: sex.value || null };
    if (!linked) Object.assign(body, { relation: relation.value, given_name: given.value.trim(), family_name: family.value.trim() });
    body.school_class = relation.value === 'child' && klass.value ? klass.value : null;
    const missing = [];
    if (!linked && !body.given_name) missing.push({ field: 'given_name', code: 'required', message: 'Saisissez le prénom.' });
    if (!linked && !body.family_name) missing.push({ field: 'family_name', code: 'required', message: 'Saisissez le nom.' });
    if (!linked && !body.birth_date) missing.push({ field: 'birth_date', code: 'required', message: 'Saisissez la date de naissance.' });
    if (missing.length) return showError(summary, form, localError(missing));
    try {
      await onSubmit(body);
    } catch (err) {
      showError(summary, form, err);
    }
    return undefined;
  });
  return form;
}

function memberCard(m, household, refresh) {
  const isMe = m.user_id && m.user_id === me;
  const accounts = household.adult_user_ids.length;
  const details = [
    RELATIONS[m.relation],
    m.birth_date ? `né(e) le ${formatDay(m.birth_date)}${m.age !== null ? ` (${m.age} an${m.age > 1 ? 's' : ''})` : ''}` : 'date de naissance à compléter',
    m.school_class ? CLASSES[m.school_class] : null,
    m.user_id ? (isMe ? 'vous' : 'a son propre compte') : null,
  ].filter(Boolean).join(' · ');
  const name = `${m.given_name} ${m.family_name}`;
  const slot = h('div', { class: 'member-edit' });
  const edit = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-expanded': 'false' }, 'Modifier',
    h('span', { class: 'visually-hidden' }, ` ${name}`));
  edit.addEventListener('click', () => {
    const open = edit.getAttribute('aria-expanded') === 'true';
    edit.setAttribute('aria-expanded', String(!open));
    if (open) return slot.replaceChildren();
    slot.replaceChildren(memberForm(`membre-${m.id}`, m, async (body) => {
      await api.patch(`${ACCOUNT}/me/household/members/${m.id}`, body, { headers: { 'If-Match': m.etag } });
      announce(`${name} : modifications enregistrées.`);
      await refresh();
    }, 'Enregistrer'));
    slot.querySelector('select, input').focus();
    return undefined;
  });
  const canRemove = !m.user_id || (isMe && accounts > 1);
  const remove = canRemove ? h('button', { type: 'button', class: 'btn btn-danger' }, isMe ? 'Quitter le foyer' : 'Retirer',
    h('span', { class: 'visually-hidden' }, isMe ? '' : ` ${name}`)) : null;
  remove?.addEventListener('click', async () => {
    if (!window.confirm(isMe ? 'Quitter ce foyer ? Vous n’y aurez plus accès.' : `Retirer ${name} du foyer ?`)) return;
    try {
      await api.delete(`${ACCOUNT}/me/household/members/${m.id}`);
      announce(isMe ? 'Vous avez quitté le foyer.' : `${name} a été retiré(e) du foyer.`);
      await refresh();
    } catch (err) {
      announce(err.message);
    }
  });
  return h('li', { class: 'member-card', dataset: { id: m.id } },
    h('h3', {}, name),
    h('p', { class: 'member-details' }, details),
    h('div', { class: 'doc-actions' }, edit, remove),
    slot);
}

function membersSection(household, refresh) {
  const addSlot = h('div');
  const addBtn = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false' }, 'Ajouter un membre');
  addBtn.addEventListener('click', () => {
    const open = addBtn.getAttribute('aria-expanded') === 'true';
    addBtn.setAttribute('aria-expanded', String(!open));
    if (open) return addSlot.replaceChildren();
    addSlot.replaceChildren(h('h3', {}, 'Nouveau membre'), memberForm('nouveau', null, async (body) => {
      const m = await api.post(`${ACCOUNT}/me/household/members`, body);
      announce(`${m.given_name} ${m.family_name} a été ajouté(e) au foyer.`);
      await refresh();
    }, 'Ajouter au foyer'));
    addSlot.querySelector('select').focus();
    return undefined;
  });
  return h('section', { class: 'family-section', 'aria-labelledby': 'membres-titre' },
    h('h2', { id: 'membres-titre' }, `Membres du foyer (${household.members.length})`),
    h('ul', { class: 'member-list' }, household.members.map((m) => memberCard(m, household, refresh))),
    addBtn, addSlot);
}

/* --- quotient familial --- */
function quotientSection(household, certificates, refresh) {
  const q = household.quotient_familial;
  const summary = summaryBox();
  const value = h('input', { type: 'number', name: 'value', min: '0', max: '100000', step: '1', inputmode: 'numeric', required: true, dataset: { field: 'value' } });
  const existing = select(Object.fromEntries(certificates.map((d) => [d.id, `${d.filename} (déposé le ${formatDay(d.uploaded_at.slice(0, 10))})`])),
    { name: 'document', empty: certificates.length ? 'Choisissez une attestation déposée' : 'Aucune attestation déposée', dataset: { field: 'document_id' } });
  const file = h('input', { type: 'file', name: 'file', accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', dataset: { field: 'content' } });
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    field({ id: 'qf-valeur', label: 'Quotient familial (en euros)', control: value, hint: 'Le montant indiqué sur votre attestation CAF ou MSA, par exemple 850.' }),
    field({ id: 'qf-attestation', label: 'Attestation déjà déposée', control: existing }),
    field({ id: 'qf-fichier', label: 'Ou nouvelle attestation', control: file, hint: 'PDF, JPEG ou PNG, 10 Mo au plus.' }),
    h('button', { type: 'submit', class: 'btn' }, 'Déclarer mon quotient familial'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const f = file.files[0];
    const n = Number(value.value);
    const problems = [];
    if (value.value === '' || !Number.isInteger(n) || n < 0) problems.push({ field: 'value', code: 'invalid_format', message: 'Saisissez un nombre entier d’euros, par exemple 850.' });
    if (!f && !existing.value) problems.push({ field: 'document_id', code: 'required', message: 'Joignez votre attestation de quotient familial.' });
    if (problems.length) return showError(summary, form, localError(problems));
    try {
      let documentId = existing.value;
      if (f) {
        const type = f.type || (f.name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : '');
        const doc = await api.post(`${ACCOUNT}/me/documents`, f, {
          headers: { 'Content-Type': type, 'X-Document-Kind': 'qf_certificate', 'X-Filename': encodeURIComponent(f.name) },
        });
        documentId = doc.id;
      }
      await api.post(`${ACCOUNT}/me/household/quotient`, { value: n, document_id: documentId });
      announce('Votre quotient familial est déclaré ; la mairie va le vérifier.');
      await refresh();
    } catch (err) {
      showError(summary, form, err);
    }
    return undefined;
  });
  const status = q
    ? h('dl', { class: 'qf-status' },
      h('dt', {}, 'Montant'), h('dd', {}, `${q.value} €`),
      h('dt', {}, 'État'), h('dd', { class: `qf-${q.state}` }, QF_STATES[q.state]),
      q.valid_until ? h('dt', {}, 'Valable jusqu’au') : null, q.valid_until ? h('dd', {}, formatDay(q.valid_until)) : null)
    : h('p', {}, 'Aucun quotient familial déclaré : le tarif le plus élevé s’applique aux services municipaux.');
  return h('section', { class: 'family-section', 'aria-labelledby': 'qf-titre' },
    h('h2', { id: 'qf-titre' }, 'Quotient familial'),
    status,
    h('h3', {}, q ? 'Déclarer un nouveau quotient familial' : 'Déclarer mon quotient familial'),
    form);
}

/* --- invitation of a second adult --- */
async function inviteSection(household, refresh) {
  const summary = summaryBox();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, dataset: { field: 'email' } });
  const form = h('form', { class: 'family-form', novalidate: true },
    summary,
    field({ id: 'invitation-email', label: 'Adresse électronique de l’autre adulte', control: email, hint: 'Il ou elle recevra un lien pour rejoindre votre compte famille.' }),
    h('button', { type: 'submit', class: 'btn' }, 'Envoyer l’invitation'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    try {
      await api.post(`${ACCOUNT}/me/household/invitations`, { email: email.value.trim() });
      announce(`Invitation envoyée à ${email.value.trim()}.`);
      await refresh();
    } catch (err) {
      showError(summary, form, err);
    }
  });
  let pending = [];
  try {
    pending = (await api.get(`${ACCOUNT}/me/household/invitations`)).items;
  } catch {
    pending = [];
  }
  const list = pending.length ? h('ul', { class: 'invite-list' }, pending.map((inv) => {
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Annuler',
      h('span', { class: 'visually-hidden' }, ` l’invitation de ${inv.email}`));
    cancel.addEventListener('click', async () => {
      await api.delete(`${ACCOUNT}/me/household/invitations/${inv.id}`);
      announce(`Invitation de ${inv.email} annulée.`);
      await refresh();
    });
    return h('li', {}, `${inv.email} — valable jusqu’au ${formatDay(inv.expires_at.slice(0, 10))} `, cancel);
  })) : null;
  const full = household.adult_user_ids.length >= 2;
  return h('section', { class: 'family-section', 'aria-labelledby': 'inviter-titre' },
    h('h2', { id: 'inviter-titre' }, 'Inviter un second adulte'),
    full ? h('p', {}, 'Deux adultes ont déjà leur propre compte dans ce foyer.') : form,
    list ? h('h3', {}, 'Invitations en attente') : null,
    list);
}

async function render() {
  let household;
  let certificates = [];
  try {
    household = await api.get(`${ACCOUNT}/me/household`);
    certificates = (await api.get(`${ACCOUNT}/me/documents?kind=qf_certificate&limit=100`)).items;
  } catch (err) {
    replaceChildren(app, h('div', { class: 'error-summary' }, h('p', {}, err.message)));
    return;
  }
  const token = new URLSearchParams(location.search).get('invitation');
  replaceChildren(app,
    token ? invitationPanel(token) : null,
    membersSection(household, render),
    addressSection(household, render),
    quotientSection(household, certificates, render),
    await inviteSection(household, render),
    h('p', {}, h('a', { href: '/mes-documents.html' }, 'Voir les documents du foyer')));
}

if (await requireSession(app)) {
  me = claims().sub || null; // tells « you » apart among the adults
  await render();
}
