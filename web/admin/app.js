// Agent SPA entry point: the table of views, layout state and session handling. Navigation is
// in ./router.js; views live in ./views/; nginx serves index.html for every /admin/ path so deep
// links work.

import { api, isAuthenticated, logout, onAuthChange, refreshSession } from '/lib/api.js';
import { applySite, loadSite } from '/lib/site.js';
import { mayUse, rememberUser } from './access.js';
import { navigate, routePath, startRouter } from './router.js';
import { renderAudit } from './views/audit.js';
import { renderLogin } from './views/login.js';
import { renderArticleEditor, renderArticles, renderContentHub } from './views/articles.js';
import { renderAlerts } from './views/alerts.js';
import { renderEvents } from './views/events.js';
import { renderDirectoryModeration } from './views/directory-moderation.js';
import { renderJobsModeration } from './views/jobs-moderation.js';
import { renderMedia } from './views/media.js';
import { renderReview } from './views/review.js';
import { renderUsers } from './views/users.js';
import { renderDashboard, renderForbidden, renderNotFound } from './views/pages.js';
import { renderProcedures } from './views/procedures.js';
import { renderQueue } from './views/queue.js';
import { renderRequest } from './views/request.js';
import { renderSla } from './views/sla.js';
import { renderQuotient } from './views/quotient.js';
import { renderComments, renderStats } from './views/stats.js';
import { renderStatsImport } from './views/stats-import.js';
import { renderDoorCheck, renderGrids, renderInvoices, renderTicketing, renderTransactions } from './views/payments.js';

const ROUTES = {
  '/': { title: 'Tableau de bord', render: renderDashboard },
  '/contenus': { title: 'Contenus', render: renderContentHub },
  '/articles': { title: 'Pages et actualités', render: renderArticles },
  '/articles/edition': { title: 'Édition d’un article', render: renderArticleEditor },
  '/relecture': { title: 'Relecture', render: renderReview },
  '/alertes': { title: 'Bandeau d’alerte', render: renderAlerts },
  '/agenda': { title: 'Agenda', render: renderEvents },
  '/annuaire': { title: 'Annuaire', render: renderDirectoryModeration },
  '/offres-emploi': { title: 'Offres d’emploi', render: renderJobsModeration },
  '/medias': { title: 'Médiathèque', render: renderMedia },
  '/demarches': { title: 'Démarches', render: renderQueue },
  '/demarches/demande': { title: 'Demande', render: renderRequest },
  '/demarches/procedures': { title: 'Procédures', render: renderProcedures },
  '/demarches/qualite': { title: 'Indice de qualité', render: renderSla },
  '/paiements': { title: 'Paiements : factures', render: renderInvoices },
  '/paiements/grilles': { title: 'Grilles tarifaires', render: renderGrids },
  '/paiements/billetterie': { title: 'Billetterie', render: renderTicketing },
  '/paiements/controle': { title: 'Contrôle des billets', render: renderDoorCheck },
  '/paiements/transactions': { title: 'Transactions et export', render: renderTransactions },
  '/statistiques': { title: 'Statistiques', render: renderStats },
  '/statistiques/avis': { title: 'Avis des lecteurs', render: renderComments },
  '/statistiques/import': { title: 'Chiffres de l’ancien portail', render: renderStatsImport },
  '/utilisateurs': { title: 'Utilisateurs', render: renderUsers },
  '/audit': { title: 'Journal d’audit', render: renderAudit },
  '/quotient-familial': { title: 'Quotient familial', render: renderQuotient },
  '/connexion': { title: 'Connexion', render: null, public: true },
};

const main = document.getElementById('contenu');
const nav = document.getElementById('admin-nav');
const userBox = document.getElementById('admin-user');
const userName = document.getElementById('admin-user-name');
const status = document.getElementById('admin-status');

let currentUser = null;
let townName = 'Ville de Beaulieu-sur-Loire';

function setTitle(title) {
  document.title = `${title} — Espace agents — ${townName}`;
}

function updateLayout() {
  const signedIn = isAuthenticated();
  nav.hidden = !signedIn;
  userBox.hidden = !signedIn;
  const fullName = [currentUser?.given_name, currentUser?.family_name].filter(Boolean).join(' ');
  userName.textContent = currentUser?.display_name || fullName || currentUser?.email || '';
  const path = routePath();
  for (const a of nav.querySelectorAll('a[href]')) {
    const target = routePath(new URL(a.href).pathname);
    // The menu offers only what the signed-in role may use.
    a.closest('li').hidden = signedIn && !mayUse(target);
    if (target === path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// After a view change, move focus to its heading so keyboard and screen reader users start
// at the new content (RGAA 12.x), and announce the change in the polite live region.
function focusHeading(announce) {
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
  if (announce) status.textContent = `${document.title.split(' — ')[0]} : page affichée`;
}

let firstRender = true;

function render() {
  rememberUser(isAuthenticated() ? currentUser : null);
  const path = routePath();
  const route = ROUTES[path];
  let title;
  if (!isAuthenticated() || path === '/connexion') {
    if (isAuthenticated() && path === '/connexion') return navigate('/', { replace: true });
    title = 'Connexion';
    renderLogin(main, {
      onSuccess(user) {
        currentUser = user;
        // Stay on the deep link that was asked for; the login URL itself leads to the dashboard.
        if (path === '/connexion') navigate('/', { replace: true });
        else render();
      },
    });
  } else if (route && !mayUse(path)) {
    title = 'Accès refusé';
    renderForbidden(main, { user: currentUser, title: route.title });
  } else if (route) {
    title = route.title;
    route.render(main, { user: currentUser });
  } else {
    title = 'Page introuvable';
    renderNotFound(main);
  }
  setTitle(title);
  updateLayout();
  // On the first paint focus stays at the top of the document, as on any page load.
  if (!firstRender) focusHeading(true);
  firstRender = false;
}

document.getElementById('admin-logout').addEventListener('click', async () => {
  currentUser = null;
  await logout();
});

onAuthChange((signedIn) => {
  if (!signedIn) {
    currentUser = null;
    status.textContent = 'Vous êtes déconnecté.';
    render();
  }
});

async function start() {
  applySite();
  loadSite().then((site) => {
    townName = site.town_name;
    setTitle(document.title.split(' — ')[0]);
  });
  // A reload loses the in-memory access token: get a new one from the refresh cookie.
  if (await refreshSession()) {
    try {
      currentUser = await api.get('/api/account/v1/me');
    } catch {
      currentUser = null;
    }
  }
  render();
}

startRouter(render);
start();
