// Views of the agent SPA once signed in: dashboard, one placeholder per section, not found.
// Later issues replace each section's placeholder with its real screens.

import { h, replaceChildren } from '/lib/dom.js';
import { mayUse, ROLE_LABELS, who } from '../access.js';

const SECTIONS = {
  contenus: {
    title: 'Contenus',
    intro: 'Pages, actualités, agenda, bandeau d’alerte, annuaire des partenaires et offres d’emploi.',
  },
  demarches: {
    title: 'Démarches',
    intro: 'Les demandes des usagers à traiter par votre service, leurs pièces et leurs échanges.',
  },
  paiements: {
    title: 'Paiements',
    intro: 'Factures, paiements en ligne, remboursements, billetterie et export de rapprochement.',
  },
  statistiques: {
    title: 'Statistiques',
    intro: 'Fréquentation du site, satisfaction des usagers et délais de traitement des démarches.',
  },
  utilisateurs: {
    title: 'Utilisateurs',
    intro: 'Comptes des agents et des partenaires, rôles, services et double authentification.',
  },
};

const KPIS = [
  ['Demandes à traiter', 'demarches'],
  ['Paiements du jour', 'paiements'],
  ['Contenus en relecture', 'contenus'],
  ['Visites cette semaine', 'statistiques'],
];

export function renderDashboard(main, { user }) {
  const who = user?.display_name || [user?.given_name, user?.family_name].filter(Boolean).join(' ') || user?.email;
  replaceChildren(main,
    h('h1', {}, 'Tableau de bord'),
    h('p', { class: 'admin-lead' }, who ? `Bonjour ${who}. Voici l’essentiel de l’activité du portail.` : 'Voici l’essentiel de l’activité du portail.'),
    h('ul', { class: 'kpis' }, KPIS.filter(([, section]) => mayUse(`/${section}`)).map(([label, section]) =>
      h('li', { class: 'kpi' },
        h('h2', {}, label),
        h('p', { class: 'kpi-value' }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'donnée non disponible')),
        h('p', {}, h('a', { href: `/admin/${section}`, dataset: { link: '' } }, 'Ouvrir', h('span', { class: 'visually-hidden' }, ` : ${SECTIONS[section].title}`)))))),
    h('p', { class: 'empty-state' }, 'Les indicateurs s’afficheront ici dès que les services correspondants seront en service.'));
}

/** Returns the view function of one section. */
export function renderSection(key) {
  const section = SECTIONS[key];
  return (main) => replaceChildren(main,
    h('h1', {}, section.title),
    h('p', { class: 'admin-lead' }, section.intro),
    h('p', { class: 'empty-state' }, 'Cette rubrique sera disponible prochainement.'));
}

export function renderNotFound(main) {
  replaceChildren(main,
    h('h1', {}, 'Page introuvable'),
    h('p', {}, 'Cette page n’existe pas dans l’espace agents.'),
    h('p', {}, h('a', { href: '/admin/', dataset: { link: '' } }, 'Revenir au tableau de bord')));
}

/** A page that exists but that the signed-in role may not use (403): say so, and where to ask. */
export function renderForbidden(main, { title }) {
  const role = ROLE_LABELS[who().role] || who().role || 'inconnu';
  replaceChildren(main,
    h('h1', {}, 'Accès refusé'),
    h('p', { class: 'admin-lead' }, `La page « ${title} » n’est pas ouverte à votre rôle (${role}).`),
    h('p', {}, 'Si vous en avez besoin pour votre travail, demandez l’accès à un administrateur du portail.'),
    h('p', {}, h('a', { href: '/admin/', dataset: { link: '' } }, 'Revenir au tableau de bord')));
}
