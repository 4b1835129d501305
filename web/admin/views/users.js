// Users and roles (admins): search the portal's accounts, change a role, the services an agent
// treats, disable an account (PATCH with If-Match; every change lands in the audit trail).
import { api, request } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';

const ACCOUNT = '/api/account/v1';
const ROLES = { citizen: 'Citoyen', partner: 'Partenaire', agent: 'Agent', editor: 'Éditeur', admin: 'Administrateur' };

function row(u, refresh, status) {
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
  return h('tr', {},
    h('th', { scope: 'row' }, `${u.given_name} ${u.family_name}`, h('br'), h('small', {}, u.email)),
    h('td', {}, role),
    h('td', {}, services),
    h('td', {}, u.totp_enabled ? 'Oui' : 'Non'),
    h('td', {}, u.disabled ? 'Désactivé' : 'Actif'),
    h('td', {},
      h('button', { class: 'btn', type: 'button', onclick: () => save({ role: role.value,
        services: services.value.split(',').map((s) => s.trim()).filter(Boolean) }) }, 'Enregistrer',
      h('span', { class: 'visually-hidden' }, ` ${u.email}`)),
      ' ',
      h('button', { class: 'btn btn-secondary', type: 'button', onclick: () => save({ disabled: !u.disabled }) },
        u.disabled ? 'Réactiver' : 'Désactiver', h('span', { class: 'visually-hidden' }, ` ${u.email}`))));
}

export function renderUsers(main) {
  const status = h('p', { role: 'status', id: 'users-status' });
  const q = h('input', { id: 'users-q', type: 'search', name: 'q' });
  const roleFilter = h('select', { id: 'users-role', name: 'role' }, h('option', { value: '' }, 'Tous'),
    Object.entries(ROLES).map(([v, label]) => h('option', { value: v }, label)));
  const table = h('div', { id: 'users-table' });
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
        h('tbody', {}, data.items.map((u) => row(u, refresh, status)))));
    } catch (err) {
      replaceChildren(table, h('p', {}, err.message));
    }
  }
  const form = h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); refresh(); } },
    h('div', { class: 'field' }, h('label', { for: 'users-q' }, 'Rechercher (nom ou adresse)'), q),
    h('div', { class: 'field' }, h('label', { for: 'users-role' }, 'Rôle'), roleFilter),
    h('button', { class: 'btn', type: 'submit' }, 'Rechercher'));
  replaceChildren(main, h('h1', {}, 'Utilisateurs et rôles'),
    h('p', { class: 'admin-lead' }, 'Rôles, services traités par les agents, désactivation. Chaque changement est tracé dans le journal d’audit.'),
    form, status, table);
  refresh();
}
