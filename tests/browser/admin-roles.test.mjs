// The agents' space as each role sees it: the menu offers what the role may use, a page it may
// not use says « Accès refusé » (not « introuvable »), a form it cannot save is not offered, and
// no page scrolls sideways on a 390 px phone. Demo accounts, real logins; axe-core on each page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, budget } from './helpers.mjs';
import { DB, MAIL, PASSWORD as ADMIN_PASSWORD, register, submitLogin, totp } from './people.mjs';

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

/** Opens an SPA path and waits for its own page (not the previous one's heading) to settle. */
async function go(page, path) {
  const old = await page.$('main h1');
  await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, path);
  if (old) await page.waitForFunction((e) => !e.isConnected, old);
  await page.locator('main h1').first().waitFor();
  await page.waitForLoadState('networkidle');
}

async function noSidewaysScroll(page, label) {
  const [over, wide] = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // What sticks out, to name it in the failure.
    const culprits = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > width + 1)
      .slice(-3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return [document.documentElement.scrollWidth - width, culprits];
  });
  assert.ok(over <= 0, `${label}: scrolls sideways by ${over}px at 390 px (${wide.join(', ')})`);
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
          await go(page, path);
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

  // An administrator (made for the test: the demo one must enrol an authenticator first) sees
  // every page, the users and audit tables too, each fitting 390 px: wide tables scroll inside
  // their own focusable region, never the page.
  it('an administrator: every page, users and audit tables included, fits 390 px', { timeout: budget(360_000), skip: (!MAIL || !DB) && 'needs the test stack' }, async () => {
    const email = await register('admin');
    const { page, context, problems } = await openPage(browser, '/admin/', { allow: [...allow, /status of 40[13]/, /status of 429/, /session\/refresh/], viewport: PHONE_390 });
    try {
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN_PASSWORD);
      await submitLogin(page, '#enrol-secret');
      const secret = (await page.locator('#enrol-secret').textContent()).trim();
      await page.getByLabel('Premier code affiché par l’application').fill(totp(secret));
      await page.getByRole('button', { name: 'Activer la double authentification' }).click();
      await page.getByRole('heading', { name: 'Vos codes de secours' }).waitFor();
      await noSidewaysScroll(page, 'recovery codes');
      const code = (await page.locator('#recovery-codes li').first().textContent()).trim();
      await page.getByRole('button', { name: /continuer/ }).click();
      await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: /utiliser un code de secours/ }).click();
      await page.getByLabel('Code de secours').fill(code);
      await submitLogin(page, '#admin-nav:not([hidden])');
      const nav = page.getByRole('navigation', { name: 'Navigation de l’espace agents' });
      for (const name of ['Utilisateurs', 'Journal d’audit', 'Démarches']) assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `the admin sees ${name}`);
      const pages = ['/admin/', '/admin/contenus', '/admin/articles', '/admin/relecture', '/admin/alertes', '/admin/agenda', '/admin/annuaire',
        '/admin/offres-emploi', '/admin/medias', '/admin/demarches', '/admin/demarches/procedures', '/admin/demarches/qualite', '/admin/paiements',
        '/admin/paiements/grilles', '/admin/paiements/billetterie', '/admin/paiements/controle', '/admin/paiements/transactions', '/admin/statistiques',
        '/admin/statistiques/avis', '/admin/statistiques/import',
        '/admin/quotient-familial', '/admin/utilisateurs', '/admin/audit'];
      for (const path of pages) {
        await go(page, path);
        assert.doesNotMatch(await page.locator('main h1').first().innerText(), /Accès refusé|introuvable/, `the admin may use ${path}`);
        if (path === '/admin/utilisateurs') await page.locator('#users-table table').waitFor();
        if (path === '/admin/audit') await page.locator('#audit-list table').waitFor();
        await noSidewaysScroll(page, `admin ${path}`);
        if (path === '/admin/utilisateurs' || path === '/admin/audit') {
          // The table is wider than the phone: it scrolls in a region the keyboard can reach.
          const region = page.locator(path === '/admin/audit' ? '#audit-list' : '#users-table');
          const [scrolls, focusable] = await region.evaluate((e) => [e.scrollWidth > e.clientWidth, e.tabIndex >= 0]);
          assert.ok(!scrolls || focusable, `${path}: a scrolling table can be reached with the keyboard`);
          await assertAccessible(page, `admin ${path} at 390 px`);
        }
      }
      assertNoProblems(problems, 'admin at 390 px');
    } finally {
      await context.close();
    }
  });
});
