// Users and roles (admins): search the portal's accounts, change a role, the services an agent
// treats, disable an account (PATCH with If-Match); create an agent account (the person gets an
// e-mail to choose a password); reset someone's double authentification after a lost phone; see
// one person's open sessions and end them. Every change lands in the audit trail.
import { api, request } from '/lib/api.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';
import { clearErrors, errorItems, field, showErrors } from '/lib/forms.js';

const ACCOUNT = '/api/account/v1';
const ROLES = { citizen: 'Citoyen', partner: 'Partenaire', agent: 'Agent', editor: 'Éditeur', admin: 'Administrateur' };
const WHEN = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

function splitServices(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The open sessions of u in panel, each with « Mettre fin ». */
async function showSessions(u, panel, status) {
  const name = `${u.given_name} ${u.family_name}`;
  try {
    const data = await api.get(`${ACCOUNT}/admin/users/${u.id}/sessions?limit=100`);
    const rows = data.items.map((s) => h('tr', {},
      h('td', {}, formatDate(s.created_at, WHEN)),
      h('td', {}, formatDate(s.last_used_at, WHEN)),
      h('td', {}, s.ip || '—'),
      h('td', {}, s.user_agent || '—'),
      h('td', {}, h('button', { class: 'btn btn-secondary', type: 'button', onclick: async () => {
        try {
          await api.delete(`${ACCOUNT}/admin/users/${u.id}/sessions/${s.id}`);
          status.textContent = `Session de ${name} terminée.`;
        } catch (err) {
          status.textContent = `${name} : ${err.message}`;
        }
        showSessions(u, panel, status);
      } }, 'Mettre fin', h('span', { class: 'visually-hidden' }, ` à la session ouverte le ${formatDate(s.created_at, WHEN)}`)))));
    replaceChildren(panel, h('h2', { id: 'sessions-title', tabindex: '-1' }, `Sessions ouvertes de ${name}`),
      rows.length
        ? h('div', { class: 'admin-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'sessions-title' }, h('table', { class: 'admin-table', 'aria-labelledby': 'sessions-title' },
          h('thead', {}, h('tr', {}, ['Ouverte le', 'Dernière activité', 'Adresse IP', 'Navigateur', 'Action']
            .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows)))
        : h('p', {}, 'Aucune session ouverte.'));
    panel.hidden = false;
  } catch (err) {
    replaceChildren(panel, h('p', {}, err.message));
    panel.hidden = false;
  }
}

function row(u, { refresh, status, panel, me }) {
  const role = h('select', { id: `role-${u.id}`, 'aria-label': `Rôle de ${u.email}` },
    Object.entries(ROLES).map(([v, label]) => h('option', { value: v, selected: v === u.role }, label)));
  const services = h('input', { id: `svc-${u.id}`, type: 'text', value: u.services.join(', '),
    'aria-label': `Services de ${u.email} (séparés par des virgules)` });
  const save = async (body) => {
    try {
      await request('PATCH', `${ACCOUNT}/admin/users/${u.id}`, { body, headers: { 'If-Match': u.etag } });
      status.textContent = `Compte ${u.email} mis à jour.`;
    } catch (err) {
      status.textContent = `${u.email} : ${err.message}`;
    }
    refresh();
  };
  const resetTotp = async () => {
    // eslint-disable-next-line no-alert
    if (!window.confirm(`Réinitialiser la double authentification de ${u.email} ? Ses sessions seront fermées et la personne enregistrera une nouvelle application à sa prochaine connexion.`)) return;
    try {
      await api.post(`${ACCOUNT}/admin/users/${u.id}/totp/reset`);
      status.textContent = `Double authentification de ${u.email} réinitialisée : la personne l’enregistrera à sa prochaine connexion.`;
    } catch (err) {
      status.textContent = `${u.email} : ${err.message}`;
    }
    refresh();
  };
  const hidden = (text) => h('span', { class: 'visually-hidden' }, ` ${text}`);
  return h('tr', {},
    h('th', { scope: 'row' }, `${u.given_name} ${u.family_name}`, h('br'), h('small', {}, u.email)),
    h('td', {}, role),
    h('td', {}, services),
    h('td', {}, u.totp_enabled ? 'Oui' : 'Non'),
    h('td', {}, u.disabled ? 'Désactivé' : 'Actif'),
    h('td', { class: 'admin-actions' },
      h('button', { class: 'btn', type: 'button', onclick: () => save({ role: role.value,
        services: splitServices(services.value) }) }, 'Enregistrer', hidden(u.email)),
      ' ',
      h('button', { class: 'btn btn-secondary', type: 'button', onclick: () => save({ disabled: !u.disabled }) },
        u.disabled ? 'Réactiver' : 'Désactiver', hidden(u.email)),
      ' ',
      h('button', { class: 'btn btn-secondary', type: 'button', onclick: async () => {
        await showSessions(u, panel, status);
        panel.querySelector('h2')?.focus();
      } }, 'Sessions', hidden(`de ${u.email}`)),
      // Never on one's own account: another administrator has to do it.
      u.id !== me && (u.totp_enabled || u.role === 'admin')
        ? [' ', h('button', { class: 'btn btn-secondary', type: 'button', onclick: resetTotp },
          'Réinitialiser la double authentification', hidden(`de ${u.email}`))]
        : null));
}

/** The form that creates an agent account (POST /admin/users). */
function createForm(status, refresh) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', id: 'create-errors' });
  const input = (id, label, attrs = {}, hint = '') => field({ id, name: id.replace('create-', ''), label, hint, attrs });
  const role = h('select', { name: 'role' },
    ['agent', 'editor', 'admin'].map((v) => h('option', { value: v, selected: v === 'agent' }, ROLES[v])));
  const form = h('form', { class: 'admin-panel', id: 'create-form', novalidate: true, 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Créer un compte agent'),
    h('p', {}, 'La personne reçoit un courriel avec un lien valable trois jours pour choisir son mot de passe.'),
    summary,
    input('create-email', 'Adresse électronique', { type: 'email', autocomplete: 'off', spellcheck: 'false', required: true }),
    input('create-given_name', 'Prénom', { required: true, autocomplete: 'off' }),
    input('create-family_name', 'Nom', { required: true, autocomplete: 'off' }),
    input('create-phone', 'Téléphone (facultatif)', { type: 'tel', autocomplete: 'off' }),
    field({ id: 'create-role', name: 'role', label: 'Rôle', control: role }),
    input('create-services', 'Services traités (facultatif)', {}, 'Séparés par des virgules, par exemple etat-civil, scolaire'),
    h('button', { class: 'btn', type: 'submit' }, 'Créer le compte'));
  const el = (name) => form.querySelector(`#create-${name}`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(summary, form);
    const body = { email: el('email').value.trim(), given_name: el('given_name').value.trim(),
      family_name: el('family_name').value.trim(), role: role.value, services: splitServices(el('services').value) };
    if (el('phone').value.trim()) body.phone = el('phone').value.trim();
    try {
      const u = await api.post(`${ACCOUNT}/admin/users`, body);
      status.textContent = `Compte de ${u.email} créé : un courriel l’invite à choisir son mot de passe.`;
      form.reset();
      refresh();
    } catch (err) {
      showErrors(summary, form, { title: 'Le compte n’a pas été créé', items: errorItems(err) });
    }
  });
  return form;
}

export function renderUsers(main, { user } = {}) {
  const status = h('p', { role: 'status', id: 'users-status' });
  const q = h('input', { id: 'users-q', type: 'search', name: 'q' });
  const roleFilter = h('select', { id: 'users-role', name: 'role' }, h('option', { value: '' }, 'Tous'),
    Object.entries(ROLES).map(([v, label]) => h('option', { value: v }, label)));
  // A table wider than a phone scrolls inside this region, which the keyboard can reach.
  const table = h('div', { id: 'users-table', class: 'admin-table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Liste des utilisateurs' });
  const panel = h('section', { class: 'admin-panel', id: 'users-sessions', 'aria-label': 'Sessions ouvertes', hidden: true });
  const me = user?.id || null;
  async function refresh() {
    const params = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (roleFilter.value) params.set('role', roleFilter.value);
    try {
      const data = await api.get(`${ACCOUNT}/admin/users?${params}`);
      replaceChildren(table, h('table', { class: 'admin-table' },
        h('caption', {}, `${data.items.length} compte(s)`),
        h('thead', {}, h('tr', {}, ['Personne', 'Rôle', 'Services', 'Double authentification', 'État', 'Actions']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, data.items.map((u) => row(u, { refresh, status, panel, me })))));
    } catch (err) {
      replaceChildren(table, h('p', {}, err.message));
    }
  }
  const form = h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); refresh(); } },
    h('div', { class: 'field' }, h('label', { for: 'users-q' }, 'Rechercher (nom ou adresse)'), q),
    h('div', { class: 'field' }, h('label', { for: 'users-role' }, 'Rôle'), roleFilter),
    h('button', { class: 'btn', type: 'submit' }, 'Rechercher'));
  replaceChildren(main, h('h1', {}, 'Utilisateurs et rôles'),
    h('p', { class: 'admin-lead' }, 'Rôles, services traités par les agents, désactivation, double authentification et sessions. Chaque changement est tracé dans le journal d’audit.'),
    form, status, table, panel, createForm(status, refresh));
  refresh();
}
