// Who may use which page of the agents' space, read from the access token's role and services.
// The menu shows only those pages and any other answers « Accès refusé » (403), never
// « introuvable ». The APIs check every right again: this only spares agents dead ends.

import { claims, isAuthenticated } from '/lib/api.js';

const RANK = { citizen: 0, partner: 1, agent: 2, editor: 3, admin: 4 };
// The services whose requests the teleservices queue holds (an agent of « communication » has none).
export const TS_SERVICES = Object.freeze(['etat-civil', 'scolaire', 'jeunesse', 'conservatoire']);

export const ROLE_LABELS = Object.freeze({ citizen: 'usager', partner: 'partenaire', agent: 'agent', editor: 'éditeur', admin: 'administrateur' });

let known = null; // the user object of the login answer or of GET /me, when the token says nothing

/** Remember the signed-in user as the login or /me gave it (null when signed out). */
export function rememberUser(user) {
  known = user || null;
}

/** { role, services } of the signed-in person (not verified here: the API does that). */
export function who() {
  if (!isAuthenticated()) return { role: '', services: [] };
  const c = claims();
  if (!c.role) return { role: known?.role || '', services: Array.isArray(known?.services) ? known.services : [] };
  return { role: c.role, services: Array.isArray(c.services) ? c.services : [] };
}

export function atLeast(role, u = who()) {
  return (RANK[u.role] ?? -1) >= RANK[role];
}

const staff = (u) => atLeast('agent', u);
const editor = (u) => atLeast('editor', u);
const admin = (u) => atLeast('admin', u);
const treasury = (u) => admin(u) || (staff(u) && u.services.includes('regie'));
const caseworker = (u) => admin(u) || (staff(u) && u.services.some((s) => TS_SERVICES.includes(s)));

/** The rule of each SPA path; a path missing here is not found. */
const RULES = {
  '/': staff,
  '/contenus': staff,
  '/articles': staff,
  '/articles/edition': staff,
  '/medias': staff,
  '/relecture': editor,
  '/alertes': editor,
  '/agenda': editor,
  '/annuaire': editor,
  '/offres-emploi': editor,
  '/demarches': caseworker,
  '/demarches/demande': caseworker,
  '/demarches/procedures': caseworker,
  '/demarches/qualite': caseworker,
  '/paiements': staff, // invoices for the treasury; other agents reach the door check from here
  '/paiements/grilles': treasury,
  '/paiements/billetterie': treasury,
  '/paiements/controle': staff,
  '/paiements/transactions': treasury,
  '/statistiques': staff,
  '/statistiques/import': editor, // the API takes the old portal's figures from editors and admins
  '/utilisateurs': admin,
  '/audit': admin,
  '/quotient-familial': caseworker,
};

/** true when the signed-in person may use the page at path (an SPA path such as "/audit"). */
export function mayUse(path, u = who()) {
  const rule = RULES[path];
  return rule ? rule(u) : true;
}
