// Browser tests of the public site: every static page renders in French with one h1, no console
// or page error, no WCAG 2.1 A/AA violation found by axe, and the legal links in the footer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';

const PAGES = [
  ['/', 'Accueil'],
  ['/actualites.html', 'Actualités'],
  ['/agenda.html', 'Agenda'],
  ['/demarches.html', 'Démarches en ligne'],
  ['/associations.html', 'Associations'],
  ['/emploi.html', 'Emploi'],
  ['/mon-espace.html', 'Mon espace'],
  ['/mentions-legales.html', 'Mentions légales'],
  ['/accessibilite.html', 'Déclaration d’accessibilité'],
  ['/donnees-personnelles.html', 'Données personnelles'],
  ['/plan-du-site.html', 'Plan du site'],
  ['/contact.html', 'Contact'],
];

const FOOTER_LINKS = ['Mentions légales', 'Accessibilité : partiellement conforme', 'Données personnelles', 'Plan du site', 'Contact'];
const NAV_LINKS = ['Accueil', 'Actualités', 'Agenda', 'Démarches en ligne', 'Associations', 'Emploi', 'Mon espace'];

/** What every public page must have: French, one h1, skip link, landmarks, nav, legal links, axe. */
async function checkShell(page, urlPath, title) {
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
  if (title) assert.equal((await page.locator('h1').innerText()).trim(), title);
  assert.match(await page.title(), / — /, 'title names the page and the town');
  // Skip link first in the tab order, pointing at <main>.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent.trim()), 'Aller au contenu');
  assert.equal(await page.locator('main#contenu').count(), 1);
  for (const role of ['banner', 'contentinfo']) assert.equal(await page.getByRole(role).count(), 1, `one ${role} landmark`);
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  for (const name of NAV_LINKS) assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, `nav link ${name}`);
  const legal = page.getByRole('navigation', { name: 'Informations légales' });
  for (const name of FOOTER_LINKS) assert.equal(await legal.getByRole('link', { name, exact: true }).count(), 1, `footer link ${name}`);
  // No inline script or style attribute (CSP: script-src 'self'; style-src 'self').
  assert.equal(await page.locator('[style]').count(), 0, 'no style attribute');
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
  await screenshot(page, `public${urlPath}`);
  await assertAccessible(page, urlPath);
}

describe('public site', { timeout: budget(180_000) }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  for (const [urlPath, title] of PAGES) {
    it(`${urlPath} renders without error and passes axe`, { timeout: budget(60_000) }, async () => {
      const { page, context, response, problems } = await openPage(browser, urlPath);
      try {
        assert.equal(response.status(), 200, `${urlPath} status`);
        await checkShell(page, urlPath, urlPath === '/' ? null : title);
        assertNoProblems(problems, urlPath);
      } finally {
        await context.close();
      }
    });
  }

  it('home page shows the town, its sections and friendly empty states', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/');
    try {
      const site = await page.evaluate(() => fetch('/site.json').then((r) => r.json()));
      assert.equal((await page.locator('.brand-name').innerText()).trim(), site.town_name, 'header shows town_name from /site.json');
      assert.ok((await page.title()).includes(site.town_name));
      for (const name of ['Démarches en ligne', 'Actualités', 'Agenda', 'Vos élus et services']) {
        assert.equal(await page.getByRole('heading', { level: 2, name, exact: true }).count(), 1, `section ${name}`);
      }
      for (const name of ['Acte de naissance', 'Inscription scolaire', 'Accueil de loisirs', 'Conservatoire']) {
        assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, `quick link ${name}`);
      }
      // civitas-content feeds the news, the agenda and the alert banner (demo data).
      await page.locator('#liste-actualites .card').first().waitFor();
      await page.locator('#liste-agenda .card').first().waitFor();
      assert.ok(await page.locator('#alerte').isVisible(), 'alert banner shows the active alert');
      assertNoProblems(problems, '/');
    } finally {
      await context.close();
    }
  });

  it('an unknown page answers 404 with the French error page', { timeout: budget(60_000) }, async () => {
    // Chromium reports the 404 of the document itself in the console; that one is expected.
    const { page, context, response, problems } = await openPage(browser, '/page-qui-n-existe-pas', {
      allow: [/Failed to load resource: the server responded with a status of 404/],
    });
    try {
      assert.equal(response.status(), 404);
      await checkShell(page, '/page-qui-n-existe-pas', 'Page introuvable');
      assertNoProblems(problems, '404');
    } finally {
      await context.close();
    }
  });
});
