// The agents' space as each role sees it: the menu offers what the role may use, a page it may
// not use says « Accès refusé » (not « introuvable »), a form it cannot save is not offered, and
// no page scrolls sideways on a 390 px phone. Demo accounts, real logins; axe-core on each page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const PHONE_390 = { width: 390, height: 844 };
const allow = [/status of 401/];
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email) {
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

async function noSidewaysScroll(page, label) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 0, `${label}: scrolls sideways by ${over}px at 390 px`);
}

// Each role: what its menu shows and hides, and the pages it may open.
const ROLES = [
  {
    email: 'agent.scolaire@mairie.example',
    shown: ['Tableau de bord', 'Contenus', 'Démarches', 'Quotient familial'],
    hidden: ['Utilisateurs', 'Journal d’audit'],
    forbidden: '/admin/utilisateurs',
    pages: ['/admin/', '/admin/contenus', '/admin/articles', '/admin/demarches', '/admin/demarches/procedures', '/admin/demarches/qualite', '/admin/quotient-familial', '/admin/medias'],
  },
  {
    email: 'editeur@mairie.example',
    shown: ['Tableau de bord', 'Contenus'],
    hidden: ['Démarches', 'Utilisateurs', 'Journal d’audit', 'Quotient familial'],
    forbidden: '/admin/demarches',
    pages: ['/admin/', '/admin/contenus', '/admin/articles', '/admin/relecture', '/admin/alertes', '/admin/agenda', '/admin/annuaire', '/admin/offres-emploi', '/admin/medias', '/admin/paiements', '/admin/statistiques'],
  },
];

describe('the agents space by role', () => {
  for (const role of ROLES) {
    it(`${role.email}: menu, 403 page, every page fits 390 px`, { timeout: budget(240_000) }, async () => {
      const { page, context, problems } = await openPage(browser, '/admin/', { allow, viewport: PHONE_390 });
      try {
        await signIn(page, role.email);
        await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
        const nav = page.getByRole('navigation', { name: 'Navigation de l’espace agents' });
        for (const name of role.shown) assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `${role.email} sees ${name}`);
        for (const name of role.hidden) assert.equal(await nav.getByRole('link', { name, exact: true }).isVisible(), false, `${role.email} does not see ${name}`);

        // A page the role may not use says so.
        await page.evaluate((path) => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }, role.forbidden);
        await page.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
        assert.match(await page.locator('main').innerText(), /n’est pas ouverte à votre rôle/);
        assert.doesNotMatch(await page.locator('main').innerText(), /introuvable/);
        await assertAccessible(page, `${role.email} 403`);

        for (const path of role.pages) {
          await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, path);
          await page.locator('main h1').first().waitFor();
          await page.waitForLoadState('networkidle');
          assert.doesNotMatch(await page.locator('main h1').first().innerText(), /Accès refusé|introuvable/, `${role.email} may use ${path}`);
          await noSidewaysScroll(page, `${role.email} ${path}`);
        }
        if (role.email.startsWith('agent.')) {
          // Only administrators save procedures: the agent is not offered the form.
          await page.evaluate(() => { history.pushState(null, '', '/admin/demarches/procedures'); dispatchEvent(new PopStateEvent('popstate')); });
          await page.getByRole('table').waitFor();
          assert.equal(await page.getByRole('button', { name: 'Nouvelle procédure' }).count(), 0);
          assert.equal(await page.getByRole('button', { name: /^Modifier/ }).count(), 0);
        }
        assertNoProblems(problems, role.email);
      } finally {
        await context.close();
      }
    });
  }
});
