// demarche.html?slug=: the step-by-step form of one procedure — who it is for, the answers,
// the supporting documents (the vault's matching document chosen already, or a file uploaded
// and kept in the vault), a summary, then the submission, alone or with other procedures.
// Each step checks its own answers before « Continuer »; the draft is created on the server
// only once the first answers are valid. Signed out, the page presents the procedure.

import { api, ApiError, isAuthenticated, refreshSession } from '/lib/api.js';
import { answerText } from '/lib/answers.js';
import { h, replaceChildren, formatCents, townDay } from '/lib/dom.js';
import { showErrors } from '/lib/forms.js';
import { ACCOUNT, KIND_LABELS, params, randomKey, serviceLabel, TS, tsFieldMessage } from './teleservices-common.js';
import { signInHref } from './session-gate.js';
import { basket, basketAdd, basketClear, basketRemove } from './teleservices-basket.js';
import { procedureFacts } from './teleservices-facts.js';

const root = document.getElementById('ts-form');
const STEPS = ['Pour qui ?', 'Vos réponses', 'Pièces justificatives', 'Récapitulatif'];
const MAX_FILE = 10 * 1024 * 1024;
const TYPES = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
// memberIds and answers live here until the draft exists; picks: checklist line → vault id ('' = none).
const st = { proc: null, members: [], vault: [], draft: null, step: 0, key: randomKey(), memberIds: [], answers: {}, picks: {}, rendered: false };

function age(birth) {
  if (!birth) return -1;
  const b = new Date(`${birth}T00:00:00Z`), t = new Date();
  let a = t.getUTCFullYear() - b.getUTCFullYear();
  if (t.getUTCMonth() < b.getUTCMonth() || (t.getUTCMonth() === b.getUTCMonth() && t.getUTCDate() < b.getUTCDate())) a--;
  return a;
}

function eligible(m) {
  const f = st.proc.member_filter;
  if (!f) return true;
  if (f.relation && m.relation !== f.relation) return false;
  const a = age(m.birth_date);
  if (f.min_age !== undefined && f.min_age !== null && a < f.min_age) return false;
  if (f.max_age !== undefined && f.max_age !== null && a > f.max_age) return false;
  return true;
}

function memberName(id) {
  const m = st.members.find((x) => x.id === id);
  return m ? `${m.given_name} ${m.family_name}` : 'membre';
}

function labels() {
  return {
    fields: Object.fromEntries(st.proc.fields.map((f) => [f.name, f.label])),
    members: Object.fromEntries(st.members.map((m) => [m.id, `${m.given_name} ${m.family_name}`])),
  };
}

/** Where the error summary links to for an errors[] field of the API. */
function anchorFor(field) {
  const [rootName, name, member] = field.split('.');
  if (rootName === 'answers') return `f-${name}`;
  if (rootName === 'member_ids') return st.proc.audience === 'member' ? firstMemberInput() : null;
  if (rootName === 'documents') {
    const i = checklist().findIndex((l) => l.def.kind === name && (!member || l.member === member));
    return i >= 0 ? `doc-${i}-file` : null;
  }
  return null;
}

function firstMemberInput() {
  const m = st.members.find(eligible);
  return m ? `m-${m.id}` : null;
}

/** Turns an ApiError (or a local list) into [{ id, text }] for the summary and the fields. */
function problemsOf(err) {
  if (Array.isArray(err)) return err;
  if (err instanceof ApiError && err.fields.length) {
    return err.fields.map((e) => ({ id: anchorFor(e.field), text: tsFieldMessage({ field: e.field, code: e.code }, labels()) }));
  }
  return [{ id: null, text: err.message }];
}

function visible(def, answers) {
  const v = def.visible_if;
  if (!v) return true;
  const have = answers[v.field];
  if ('equals' in v) return have === undefined ? v.equals === false || v.equals === null : JSON.stringify(have) === JSON.stringify(v.equals);
  return (v.in || []).some((x) => JSON.stringify(x) === JSON.stringify(have));
}

function optionPairs(def) {
  return (def.options || []).map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
}

/** Reads the answers from the form of step 2. */
function readAnswers(form) {
  const out = {};
  for (const def of st.proc.fields) {
    const id = `f-${def.name}`;
    if (def.type === 'checkbox') {
      const el = form.querySelector(`#${id}`);
      if (el) out[def.name] = el.checked;
    } else if (def.type === 'multiselect') {
      out[def.name] = [...form.querySelectorAll(`input[name="${def.name}"]:checked`)].map((x) => x.value);
    } else {
      const el = form.querySelector(`#${id}`);
      if (!el || el.value.trim() === '') continue;
      out[def.name] = def.type === 'number' ? Number(el.value) : el.value.trim();
    }
  }
  for (const def of st.proc.fields) if (!visible(def, out)) delete out[def.name];
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 .()-]{5,19}$/;

/** The answers' mistakes a person can fix before anything is sent: [{ id, text }]. */
function checkAnswers(answers) {
  const out = [];
  for (const def of st.proc.fields) {
    if (!visible(def, answers)) continue;
    const v = answers[def.name], id = def.type === 'multiselect' ? `f-${def.name}-0` : `f-${def.name}`;
    const empty = v === undefined || v === '' || (Array.isArray(v) && !v.length) || (def.type === 'checkbox' && v !== true);
    if (empty) {
      if (def.required) out.push({ id, text: `${def.label} : ${def.type === 'multiselect' || def.type === 'select' ? 'faites un choix' : def.type === 'checkbox' ? 'cochez la case' : 'ce champ est obligatoire'}.` });
      continue;
    }
    if (def.type === 'number') {
      if (!Number.isFinite(v)) out.push({ id, text: `${def.label} : indiquez un nombre.` });
      else if (def.min != null && v < def.min) out.push({ id, text: `${def.label} : ${def.min} au moins.` });
      else if (def.max != null && v > def.max) out.push({ id, text: `${def.label} : ${def.max} au plus.` });
    } else if (def.type === 'email' && !EMAIL.test(v)) {
      out.push({ id, text: `${def.label} : indiquez une adresse électronique valide, par exemple nom@exemple.fr.` });
    } else if (def.type === 'phone' && !PHONE.test(v)) {
      out.push({ id, text: `${def.label} : indiquez un numéro de téléphone, par exemple 02 38 00 00 00.` });
    } else if (def.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      out.push({ id, text: `${def.label} : indiquez une date.` });
    } else if ((def.type === 'text' || def.type === 'textarea') && def.max != null && v.length > def.max) {
      out.push({ id, text: `${def.label} : ${def.max} caractères au plus.` });
    }
  }
  return out;
}

function fieldInput(def, value) {
  const id = `f-${def.name}`;
  const hint = def.help ? h('span', { class: 'hint', id: `${id}-hint` }, def.help) : null;
  const req = def.required ? h('span', { class: 'ts-required' }, ' (obligatoire)') : null;
  const common = { id, name: def.name, 'aria-describedby': def.help ? `${id}-hint` : null, required: !!def.required };
  if (def.type === 'multiselect') {
    return h('fieldset', { class: 'field', dataset: { name: def.name } },
      h('legend', {}, def.label, req), hint,
      optionPairs(def).map((o, i) => h('div', { class: 'ts-choice' },
        h('input', { type: 'checkbox', id: `${id}-${i}`, name: def.name, value: o.value, checked: Array.isArray(value) && value.includes(o.value) }),
        h('label', { for: `${id}-${i}` }, o.label))));
  }
  if (def.type === 'checkbox') {
    return h('div', { class: 'field ts-choice', dataset: { name: def.name } },
      h('input', { ...common, type: 'checkbox', checked: value === true }), h('label', { for: id }, def.label, req), hint);
  }
  let input;
  if (def.type === 'textarea') input = h('textarea', { ...common, rows: 4, maxlength: def.max ?? null });
  else if (def.type === 'select' || def.type === 'member') {
    const opts = def.type === 'member'
      ? st.memberIds.map((m) => ({ value: m, label: memberName(m) }))
      : optionPairs(def);
    input = h('select', common, h('option', { value: '' }, '— Choisir —'), opts.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  } else {
    const type = { number: 'number', date: 'date', email: 'email', phone: 'tel' }[def.type] || 'text';
    const auto = { email: 'email', phone: 'tel' }[def.type] || null;
    input = h('input', { ...common, type, min: type === 'number' ? def.min ?? null : null, max: type === 'number' ? def.max ?? null : null,
      maxlength: type === 'text' ? def.max ?? null : null, inputmode: type === 'number' ? 'numeric' : null, autocomplete: auto });
  }
  if (value !== undefined && def.type !== 'select' && def.type !== 'member') input.value = String(value);
  return h('div', { class: 'field', dataset: { name: def.name } }, h('label', { for: id }, def.label, req), hint, input);
}

async function saveDraft(body) {
  if (!st.draft) {
    st.draft = await api.post(`${TS}/requests`, { procedure: st.proc.slug, ...body });
    history.replaceState(null, '', `?slug=${encodeURIComponent(st.proc.slug)}&draft=${st.draft.id}`);
  } else {
    st.draft = await api.patch(`${TS}/requests/${st.draft.id}`, body, { headers: { 'If-Match': st.draft.etag } });
  }
}

/** The documents the procedure asks for: one line per document (and per member when needed). */
function checklist() {
  const lines = [];
  for (const d of st.proc.required_documents) {
    const members = d.per_member && st.memberIds.length ? st.memberIds : [null];
    for (const m of members) {
      const self = m && st.members.find((x) => x.id === m)?.user_id;
      if (d.skip_for_self && self) continue;
      lines.push({ def: d, member: m, key: `${d.kind}|${m || ''}` });
    }
  }
  return lines;
}

const today = () => townDay();

/** Vault documents that may stand for a line: same kind, the member's own or the household's. */
function vaultOptions(line) {
  return st.vault.filter((v) => v.kind === line.def.kind && (!line.member || !v.member_id || v.member_id === line.member));
}

function uploadedFor(line) {
  return (st.draft?.documents || []).find((x) => x.source !== 'vault' && !x.vault_document_id && x.kind === line.def.kind
    && (!line.member || !x.member_id || x.member_id === line.member));
}

/**
 * Chooses, once per line, what the citizen most likely means: the vault document already on the
 * draft, else nothing when a file was uploaded for it, else the best valid vault document (the
 * member's own before the household's, the newest first).
 */
function initialPicks() {
  for (const line of checklist()) {
    if (line.key in st.picks) continue;
    const onDraft = (st.draft?.documents || []).find((x) => x.vault_document_id && x.kind === line.def.kind
      && (!line.member || !x.member_id || x.member_id === line.member));
    if (onDraft) { st.picks[line.key] = onDraft.vault_document_id; continue; }
    if (uploadedFor(line)) { st.picks[line.key] = ''; continue; }
    const valid = vaultOptions(line).filter((v) => !v.valid_until || v.valid_until >= today());
    valid.sort((a, b) => (!!b.member_id - !!a.member_id) || String(b.uploaded_at).localeCompare(String(a.uploaded_at)));
    st.picks[line.key] = valid[0]?.id || '';
  }
}

function pickedIds() {
  const keys = new Set(checklist().map((l) => l.key));
  return [...new Set(Object.entries(st.picks).filter(([k, v]) => v && keys.has(k)).map(([, v]) => v))];
}

function provided(line) {
  const v = st.picks[line.key] && st.vault.find((x) => x.id === st.picks[line.key]);
  if (v) return v.filename;
  return uploadedFor(line)?.filename || '';
}

function stepper() {
  return h('ol', { class: 'ts-steps' }, STEPS.map((s, i) => h('li', { 'aria-current': i === st.step ? 'step' : null, class: i < st.step ? 'done' : null },
    s, i < st.step ? h('span', { class: 'visually-hidden' }, ' (étape terminée)') : null)));
}

/** Uploads the file of one checklist line: into the vault (then chosen) or into this request only. */
async function uploadFor(line, i, form) {
  const input = form.querySelector(`#doc-${i}-file`);
  const keep = form.querySelector(`#doc-${i}-keep`)?.checked;
  const until = form.querySelector(`#doc-${i}-until`)?.value;
  const file = input.files[0];
  const id = `doc-${i}-file`;
  if (!file) return [{ id, text: `${line.def.label} : choisissez le fichier à envoyer.` }];
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  const type = Object.values(TYPES).includes(file.type) ? file.type : TYPES[ext];
  if (!type) return [{ id, text: `${line.def.label} : seuls les fichiers PDF, JPEG et PNG sont acceptés.` }];
  if (file.size > MAX_FILE) return [{ id, text: `${line.def.label} : le fichier dépasse 10 Mo.` }];
  if (keep) {
    const headers = { 'Content-Type': type, 'X-Document-Kind': line.def.kind, 'X-Filename': encodeURIComponent(file.name) };
    if (line.member) headers['X-Member-Id'] = line.member;
    if (until) headers['X-Valid-Until'] = until;
    const doc = await api.post(`${ACCOUNT}/me/documents`, file, { headers });
    st.vault.unshift(doc);
    st.picks[line.key] = doc.id;
    await saveDraft({ document_ids: pickedIds() });
    st.notice = `« ${doc.filename} » est joint à la demande et conservé dans vos documents.`;
  } else {
    const q = new URLSearchParams({ kind: line.def.kind, filename: file.name });
    if (line.member) q.set('member_id', line.member);
    await api.post(`${TS}/requests/${st.draft.id}/documents?${q}`, new Blob([file], { type }));
    st.picks[line.key] = '';
    await saveDraft({ document_ids: pickedIds() });
    st.notice = `« ${file.name} » est joint à cette demande seulement.`;
  }
  return [];
}

function documentsStep(form) {
  initialPicks();
  const lines = checklist();
  if (!lines.length) return h('p', {}, 'Cette démarche ne demande aucune pièce justificative.');
  return h('ul', { class: 'ts-checklist' }, lines.map((line, i) => {
    const { def, member } = line;
    const who = member ? ` — ${memberName(member)}` : '';
    const options = vaultOptions(line);
    const name = `doc-${i}`;
    const have = provided(line);
    const choose = (value) => { st.picks[line.key] = value; };
    return h('li', { class: have ? 'ok' : 'missing', dataset: { kind: def.kind, member: member || '' } },
      h('fieldset', {},
        h('legend', {}, `${def.label}${who}`, def.optional ? ' (facultatif)' : '',
          h('span', { class: 'ts-doc-state' }, have ? ` : fournie (${have})` : ' : manquante')),
        options.length ? h('p', { class: 'hint' }, 'Dans mes documents :') : null,
        options.map((v) => {
          const expired = v.valid_until && v.valid_until < today();
          return h('div', { class: 'ts-choice' },
            h('input', { type: 'radio', name, id: `${name}-${v.id}`, value: v.id, checked: st.picks[line.key] === v.id, onchange: () => choose(v.id) }),
            h('label', { for: `${name}-${v.id}` }, v.filename, v.member_id ? ` (${memberName(v.member_id)})` : '',
              expired ? ' — expiré' : v.valid_until ? ` — valable jusqu’au ${answerText({ type: 'date' }, v.valid_until)}` : ''));
        }),
        options.length ? h('div', { class: 'ts-choice' },
          h('input', { type: 'radio', name, id: `${name}-none`, value: '', checked: !st.picks[line.key], onchange: () => choose('') }),
          h('label', { for: `${name}-none` }, 'Aucun de ces documents')) : null,
        h('details', { class: 'ts-upload', open: !options.length || null },
          h('summary', {}, options.length ? 'Envoyer un autre fichier' : 'Envoyer le fichier'),
          h('div', { class: 'field' },
            h('label', { for: `${name}-file` }, 'Fichier (PDF, JPEG ou PNG, 10 Mo au plus)'),
            h('input', { type: 'file', id: `${name}-file`, accept: 'application/pdf,image/jpeg,image/png' })),
          h('div', { class: 'field' },
            h('label', { for: `${name}-until` }, 'Valable jusqu’au (facultatif)'),
            h('input', { type: 'date', id: `${name}-until` })),
          h('div', { class: 'ts-choice' },
            h('input', { type: 'checkbox', id: `${name}-keep`, checked: true }),
            h('label', { for: `${name}-keep` }, 'Conserver dans mes documents (pour mes prochaines démarches)')),
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
            const picked = { ...st.picks };
            try {
              const problems = await uploadFor(line, i, form);
              render(problems.length ? problems : null);
            } catch (err) {
              st.picks = { ...picked, ...st.picks };
              render(err);
            }
          } }, 'Joindre ce fichier', h('span', { class: 'visually-hidden' }, ` : ${def.label}${who}`)))));
  }));
}

function summaryRows(proc, draft) {
  const a = draft.answers || {};
  return [
    h('dt', {}, 'Démarche'), h('dd', {}, proc.title),
    h('dt', {}, 'Service'), h('dd', {}, serviceLabel(proc.service)),
    draft.member_ids?.length ? [h('dt', {}, 'Pour'), h('dd', {}, draft.member_ids.map(memberName).join(', '))] : null,
    proc.fields.filter((f) => a[f.name] !== undefined).map((f) => [h('dt', {}, f.label), h('dd', {}, answerText(f, a[f.name], memberName))]),
    h('dt', {}, 'Pièces jointes'), h('dd', {}, (draft.documents || []).map((d) => `${KIND_LABELS[d.kind] || d.kind}${d.member_id ? ` de ${memberName(d.member_id).split(' ')[0]}` : ''} (${d.filename})`).join(', ') || 'aucune'),
    proc.fee_cents ? [h('dt', {}, 'Frais'), h('dd', {}, formatCents(proc.fee_cents))] : null,
  ];
}

/** The other procedures waiting in the basket, each with its own summary, for one sending. */
function basketSection() {
  const others = basket().filter((b) => b.id !== st.draft.id);
  if (!others.length) return null;
  return h('section', { class: 'ts-basket', 'aria-labelledby': 'ts-basket-title' },
    h('h3', { id: 'ts-basket-title' }, `Envoyées en même temps (${others.length + 1} démarches)`),
    others.map((b) => h('div', { class: 'ts-basket-item', dataset: { id: b.id } },
      h('h4', {}, b.title),
      b.proc && b.draft ? h('dl', { class: 'ts-summary' }, summaryRows(b.proc, b.draft)) : null,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { basketRemove(b.id); render(); } },
        'Retirer de cet envoi', h('span', { class: 'visually-hidden' }, ` : ${b.title}`)))));
}

function render(error) {
  const p = st.proc;
  const title = h('h2', { id: 'ts-step-title', tabindex: '-1' }, `Étape ${st.step + 1} sur 4 : ${STEPS[st.step]}`);
  const form = h('form', { novalidate: true, 'aria-labelledby': 'ts-step-title' });
  const back = st.step > 0 ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { st.step--; render(); } }, 'Étape précédente') : null;
  const inBasket = st.step === 3 ? basket().filter((b) => b.id !== st.draft?.id).length : 0;
  const next = h('button', { type: 'submit', class: 'btn' }, st.step === 3 ? (inBasket ? `Envoyer les ${inBasket + 1} demandes` : 'Envoyer la demande') : 'Continuer');
  let body, more = null;
  if (st.step === 0) {
    if (p.audience === 'member') {
      const list = st.members.filter(eligible);
      body = list.length
        ? h('fieldset', {}, h('legend', {}, 'Pour qui faites-vous cette demande ?'),
          list.map((m) => h('div', { class: 'ts-choice' },
            h('input', { type: 'checkbox', id: `m-${m.id}`, name: 'member', value: m.id, checked: st.memberIds.includes(m.id) }),
            h('label', { for: `m-${m.id}` }, `${m.given_name} ${m.family_name}`))))
        : h('p', { class: 'notice' }, 'Aucun membre de votre foyer ne peut faire l’objet de cette demande. Ajoutez-le dans ',
          h('a', { href: '/mon-espace-famille.html' }, '« Ma famille »'), '.');
    } else if (p.audience === 'household') {
      body = h('p', {}, 'Cette demande concerne tout votre foyer.');
    } else {
      body = h('p', {}, 'Cette demande vous concerne personnellement.');
    }
  } else if (st.step === 1) {
    body = h('div', {}, p.fields.map((def) => fieldInput(def, st.answers[def.name])));
    const refresh = () => {
      const a = readAnswers(form);
      for (const def of p.fields) {
        const wrap = form.querySelector(`[data-name="${def.name}"]`);
        if (wrap) wrap.hidden = !visible(def, { ...a, [def.name]: a[def.name] });
      }
    };
    form.addEventListener('change', refresh);
    queueMicrotask(refresh);
  } else if (st.step === 2) {
    body = documentsStep(form);
  } else {
    body = h('div', {}, h('dl', { class: 'ts-summary' }, summaryRows(p, st.draft)), basketSection());
    more = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
      basketAdd({ id: st.draft.id, slug: p.slug, title: p.title, proc: p, draft: st.draft });
      location.assign('/demarches.html?ajout=1');
    } }, 'Ajouter une autre démarche à cet envoi');
  }
  form.append(body, h('div', { class: 'ts-actions' }, back, next, more));
  form.addEventListener('submit', (event) => { event.preventDefault(); submitStep(form); });
  const del = st.draft ? h('button', { type: 'button', class: 'btn btn-secondary ts-delete-draft', onclick: deleteDraft }, 'Supprimer ce brouillon') : null;
  const problems = error ? problemsOf(error) : [];
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: !problems.length });
  const notice = st.notice ? h('p', { class: 'notice notice-success', role: 'status' }, st.notice) : null;
  st.notice = '';
  replaceChildren(root,
    h('p', { class: 'ts-meta' }, `${serviceLabel(p.service)} · réponse sous ${p.sla_days} jours`),
    stepper(), summary, notice, title, form,
    h('div', { class: 'ts-draft-note' }, st.draft ? [h('p', {}, 'Votre brouillon est enregistré : vous pouvez le reprendre plus tard depuis « Mes demandes ».'), del] : null));
  if (problems.length) {
    showErrors(summary, form, {
      title: problems.length > 1 ? `${problems.length} points à corriger` : 'Un point à corriger',
      items: problems.map((pb) => ({ id: pb.id, message: pb.text })),
      focus: false,
    });
  }
  const focus = root.querySelector(problems.length ? '.error-summary' : '#ts-step-title');
  if (focus && st.rendered) focus.focus();
  st.rendered = true;
}

async function submitStep(form) {
  try {
    if (st.step === 0) {
      const ids = [...form.querySelectorAll('input[name="member"]:checked')].map((x) => x.value);
      if (st.proc.audience === 'member' && !ids.length) {
        render([{ id: firstMemberInput(), text: st.members.some(eligible)
          ? 'Choisissez la ou les personnes concernées par la demande.'
          : 'Ajoutez d’abord la personne concernée dans « Ma famille ».' }]);
        return;
      }
      st.memberIds = ids;
      if (st.draft) await saveDraft({ member_ids: ids });
    } else if (st.step === 1) {
      const answers = readAnswers(form);
      st.answers = answers;
      const problems = checkAnswers(answers);
      if (problems.length) { render(problems); return; }
      await saveDraft(st.draft ? { answers } : { member_ids: st.memberIds, answers });
    } else if (st.step === 2) {
      const missing = checklist().map((line, i) => ({ line, i })).filter(({ line }) => !line.def.optional && !provided(line));
      if (missing.length) {
        render(missing.map(({ line, i }) => ({
          id: vaultOptions(line).length ? `doc-${i}-none` : `doc-${i}-file`,
          text: `${line.def.label}${line.member ? ` — ${memberName(line.member)}` : ''} : choisissez un document ou envoyez un fichier.`,
        })));
        return;
      }
      await saveDraft({ document_ids: pickedIds() });
    } else {
      await send();
      return;
    }
    st.step++;
    render();
  } catch (err) {
    render(err);
  }
}

/** Sends this request, or the whole basket at once (all or nothing), then the acknowledgement. */
async function send() {
  const others = basket().filter((b) => b.id !== st.draft.id);
  if (!others.length) {
    const done = await api.post(`${TS}/requests/${st.draft.id}/submit`, undefined, { headers: { 'Idempotency-Key': st.key } });
    basketClear();
    location.assign(`/mes-demandes.html?id=${done.id}&envoyee=1`);
    return;
  }
  const ids = [...others.map((b) => b.id), st.draft.id];
  const done = await api.post(`${TS}/bundles`, { requests: ids }, { headers: { 'Idempotency-Key': st.key } });
  basketClear();
  location.assign(`/mes-demandes.html?lot=${encodeURIComponent(done.requests.map((r) => r.id).join(','))}&envoyee=1`);
}

async function deleteDraft() {
  if (!window.confirm('Supprimer ce brouillon ? Les réponses et les fichiers envoyés pour cette demande seront perdus (vos documents conservés restent dans « Mes documents »).')) return;
  try {
    await api.post(`${TS}/requests/${st.draft.id}/cancel`, {});
    basketRemove(st.draft.id);
    location.assign('/mes-demandes.html?brouillon=supprime');
  } catch (err) {
    render(err);
  }
}

/** Signed out: what the procedure is, for whom, what it needs, then the ways in. */
function presentation() {
  return h('section', { class: 'ts-presentation', 'aria-labelledby': 'ts-about' },
    h('h2', { id: 'ts-about' }, 'En bref'),
    procedureFacts(st.proc),
    h('h2', {}, 'Pour faire cette démarche'),
    h('p', {}, 'Connectez-vous à votre espace : vos réponses sont enregistrées au fil des étapes et vos documents peuvent servir à nouveau.'),
    h('p', { class: 'ts-actions' },
      h('a', { class: 'btn', href: signInHref() }, 'Se connecter'),
      h('a', { class: 'btn btn-secondary', href: '/inscription.html' }, 'Créer mon compte'),
      h('a', { href: '/mot-de-passe-oublie.html' }, 'Mot de passe oublié')));
}

async function start() {
  const slug = params().get('slug');
  if (!root) return;
  if (!slug) {
    replaceChildren(root, h('p', {}, 'Choisissez une démarche dans le ', h('a', { href: '/demarches.html' }, 'catalogue'), '.'));
    return;
  }
  try {
    st.proc = await api.get(`${TS}/procedures/${encodeURIComponent(slug)}`);
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
    return;
  }
  document.getElementById('ts-title').textContent = st.proc.title;
  const crumb = document.querySelector('.breadcrumb [aria-current="page"]');
  if (crumb) crumb.textContent = st.proc.title;
  document.title = `${st.proc.title} — ${document.title.split(' — ').slice(1).join(' — ')}`;
  document.getElementById('ts-intro').textContent = st.proc.description_md;
  // Signed out: the procedure is presented, with the way in through the sign-in page.
  if (!isAuthenticated() && !(await refreshSession())) {
    replaceChildren(root, presentation());
    return;
  }
  try {
    const [hh, vault] = await Promise.all([
      api.get(`${ACCOUNT}/me/household`).catch(() => null),
      api.get(`${ACCOUNT}/me/documents?limit=100`).catch(() => ({ items: [] })),
    ]);
    st.members = hh?.members || [];
    st.vault = vault?.items || [];
    const draft = params().get('draft');
    if (draft) {
      st.draft = await api.get(`${TS}/requests/${draft}`);
      if (st.draft.status !== 'draft') { location.replace(`/mes-demandes.html?id=${st.draft.id}`); return; }
      st.memberIds = st.draft.member_ids || [];
      st.answers = st.draft.answers || {};
    }
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
    return;
  }
  render();
}

start();
