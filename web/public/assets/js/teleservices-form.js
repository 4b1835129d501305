// demarche.html?slug=: the step-by-step form of one procedure — who it is for, the answers,
// the supporting documents (picked from the vault or uploaded, with a checklist of what is
// missing), a summary, then the submission. The request is kept as a draft on the server.

import { api, ApiError } from '/lib/api.js';
import { h, replaceChildren, formatCents } from '/lib/dom.js';
import { ACCOUNT, ensureSignedIn, KIND_LABELS, params, randomKey, serviceLabel, TS, tsFieldMessage } from './teleservices-common.js';

const root = document.getElementById('ts-form');
const STEPS = ['Pour qui ?', 'Vos réponses', 'Pièces justificatives', 'Récapitulatif'];
const st = { proc: null, members: [], vault: [], draft: null, step: 0, key: randomKey() };

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

function errorBox(err) {
  const items = err instanceof ApiError && err.fields.length
    ? err.fields.map((e) => h('li', {}, tsFieldMessage({ field: e.field, code: e.code }, labels())))
    : [h('li', {}, err.message)];
  const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', {}, 'Votre demande n’est pas complète'), h('ul', {}, items));
  return box;
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
      if (!el || el.value === '') continue;
      out[def.name] = def.type === 'number' ? Number(el.value) : el.value;
    }
  }
  for (const def of st.proc.fields) if (!visible(def, out)) delete out[def.name];
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
  if (def.type === 'textarea') input = h('textarea', { ...common, rows: 4 });
  else if (def.type === 'select' || def.type === 'member') {
    const opts = def.type === 'member'
      ? (st.draft?.member_ids || []).map((m) => ({ value: m, label: memberName(m) }))
      : optionPairs(def);
    input = h('select', common, h('option', { value: '' }, '— Choisir —'), opts.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  } else {
    const type = { number: 'number', date: 'date', email: 'email', phone: 'tel' }[def.type] || 'text';
    input = h('input', { ...common, type, min: def.min ?? null, max: def.max ?? null, autocomplete: def.type === 'email' ? 'email' : null });
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
    const members = d.per_member && st.draft.member_ids.length ? st.draft.member_ids : [null];
    for (const m of members) {
      const self = m && st.members.find((x) => x.id === m)?.user_id;
      if (d.skip_for_self && self) continue;
      const have = st.draft.documents.find((x) => x.kind === d.kind && (!m || !x.member_id || x.member_id === m));
      lines.push({ def: d, member: m, have });
    }
  }
  return lines;
}

function stepper() {
  return h('ol', { class: 'ts-steps' }, STEPS.map((s, i) => h('li', { 'aria-current': i === st.step ? 'step' : null, class: i < st.step ? 'done' : null }, s)));
}

function render(error) {
  const p = st.proc;
  const title = h('h2', { id: 'ts-step-title', tabindex: '-1' }, `Étape ${st.step + 1} sur 4 : ${STEPS[st.step]}`);
  const form = h('form', { novalidate: true, 'aria-labelledby': 'ts-step-title' });
  const back = st.step > 0 ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { st.step--; render(); } }, 'Étape précédente') : null;
  const next = h('button', { type: 'submit', class: 'btn' }, st.step === 3 ? 'Envoyer la demande' : 'Continuer');
  let body;
  if (st.step === 0) {
    if (p.audience === 'member') {
      const list = st.members.filter(eligible);
      body = list.length
        ? h('fieldset', {}, h('legend', {}, 'Pour qui faites-vous cette demande ?'),
          list.map((m) => h('div', { class: 'ts-choice' },
            h('input', { type: 'checkbox', id: `m-${m.id}`, name: 'member', value: m.id, checked: st.draft?.member_ids.includes(m.id) }),
            h('label', { for: `m-${m.id}` }, `${m.given_name} ${m.family_name}`))))
        : h('p', { class: 'notice' }, 'Aucun membre de votre foyer ne peut faire l’objet de cette demande. Ajoutez-le dans « Ma famille ».');
    } else if (p.audience === 'household') {
      body = h('p', {}, 'Cette demande concerne tout votre foyer.');
    } else {
      body = h('p', {}, 'Cette demande vous concerne personnellement.');
    }
  } else if (st.step === 1) {
    const answers = st.draft?.answers || {};
    body = h('div', {}, p.fields.map((def) => fieldInput(def, answers[def.name])));
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
    const lines = checklist();
    body = h('ul', { class: 'ts-checklist' }, lines.map(({ def, member, have }, i) => {
      const who = member ? ` — ${memberName(member)}` : '';
      const options = st.vault.filter((v) => v.kind === def.kind && (!member || !v.member_id || v.member_id === member));
      const name = `doc-${i}`;
      return h('li', { class: have ? 'ok' : 'missing' },
        h('fieldset', {},
          h('legend', {}, `${def.label}${who}`, def.optional ? ' (facultatif)' : '',
            h('span', { class: 'ts-doc-state' }, have ? ` : fournie (${have.filename})` : ' : manquante')),
          options.map((v) => h('div', { class: 'ts-choice' },
            h('input', { type: 'radio', name, id: `${name}-${v.id}`, value: v.id, dataset: { vault: '1' }, checked: st.draft.documents.some((x) => x.vault_document_id === v.id) }),
            h('label', { for: `${name}-${v.id}` }, `Dans mon espace : ${v.filename}`))),
          h('div', { class: 'field' },
            h('label', { for: `${name}-file` }, 'Ou envoyer un fichier (PDF, JPEG ou PNG, 10 Mo au plus)'),
            h('input', { type: 'file', id: `${name}-file`, accept: 'application/pdf,image/jpeg,image/png',
              onchange: async (e) => {
                const file = e.target.files[0];
                if (!file) return;
                const q = new URLSearchParams({ kind: def.kind, filename: file.name });
                if (member) q.set('member_id', member);
                try {
                  await api.post(`${TS}/requests/${st.draft.id}/documents?${q}`, file);
                  st.draft = await api.get(`${TS}/requests/${st.draft.id}`);
                  render();
                } catch (err) { render(err); }
              } }))));
    }));
  } else {
    const a = st.draft.answers;
    body = h('div', {},
      h('dl', { class: 'ts-summary' },
        h('dt', {}, 'Démarche'), h('dd', {}, p.title),
        st.draft.member_ids.length ? [h('dt', {}, 'Pour'), h('dd', {}, st.draft.member_ids.map(memberName).join(', '))] : null,
        p.fields.filter((f) => a[f.name] !== undefined).map((f) => [h('dt', {}, f.label), h('dd', {},
          Array.isArray(a[f.name]) ? a[f.name].join(', ') : a[f.name] === true ? 'Oui' : a[f.name] === false ? 'Non' : String(a[f.name]))]),
        h('dt', {}, 'Pièces jointes'), h('dd', {}, st.draft.documents.map((d) => `${KIND_LABELS[d.kind] || d.kind} (${d.filename})`).join(', ') || 'aucune'),
        p.fee_cents ? [h('dt', {}, 'Frais'), h('dd', {}, formatCents(p.fee_cents))] : null));
  }
  form.append(body, h('div', { class: 'ts-actions' }, back, next));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      if (st.step === 0) {
        const ids = [...form.querySelectorAll('input[name="member"]:checked')].map((x) => x.value);
        await saveDraft({ member_ids: ids });
      } else if (st.step === 1) {
        await saveDraft({ answers: readAnswers(form) });
      } else if (st.step === 2) {
        const picked = [...form.querySelectorAll('input[data-vault]:checked')].map((x) => x.value);
        await saveDraft({ document_ids: picked });
      } else {
        const done = await api.post(`${TS}/requests/${st.draft.id}/submit`, undefined, { headers: { 'Idempotency-Key': st.key } });
        location.assign(`/mes-demandes.html?id=${done.id}&envoyee=1`);
        return;
      }
      st.step++;
      render();
    } catch (err) {
      render(err);
    }
  });
  replaceChildren(root,
    h('p', { class: 'ts-meta' }, `${serviceLabel(p.service)} · réponse sous ${p.sla_days} jours`),
    stepper(), error ? errorBox(error) : null, title, form,
    h('p', { class: 'ts-draft-note' }, st.draft ? 'Votre brouillon est enregistré : vous pouvez le reprendre plus tard depuis « Mes demandes ».' : ''));
  const focus = root.querySelector(error ? '.error-summary' : '#ts-step-title');
  if (focus && st.rendered) focus.focus();
  st.rendered = true;
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
  document.title = `${st.proc.title} — ${document.title.split(' — ').slice(1).join(' — ')}`;
  document.getElementById('ts-intro').textContent = st.proc.description_md;
  await ensureSignedIn(root);
  try {
    const [hh, vault] = await Promise.all([
      api.get(`${ACCOUNT}/me/household`).catch(() => null),
      api.get(`${ACCOUNT}/me/documents?limit=100`).catch(() => ({ items: [] })),
    ]);
    st.members = hh?.members || [];
    st.vault = vault?.items || [];
    const draft = params().get('draft');
    if (draft) st.draft = await api.get(`${TS}/requests/${draft}`);
  } catch (err) {
    replaceChildren(root, h('p', { class: 'notice' }, err.message));
    return;
  }
  render();
}

start();
