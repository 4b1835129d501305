// Browser tests of the content pages: axe-core finds nothing on every public content page (desktop
// and phone), search answers as you type, the job form shows accessible errors, and the editorial
// flow end to end: a contributor writes and submits an article in the agent SPA, an editor
// publishes it, and it appears on the home page. Logs in through civitas-account with the demo
// accounts (password CIVITAS_DEMO_PASSWORD).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, PHONE, assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const EXPECTED_4XX = [/Failed to load resource: the server responded with a status of (401|404|422)/];

async function firstEventSlug() {
  const r = await fetch(`${BASE_URL}/api/content/v1/events?limit=1`);
  const data = await r.json();
  return data.items[0]?.slug;
}

describe('content pages', { timeout: budget(600_000) }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('every public content page passes axe, on desktop and on a phone', { timeout: budget(300_000) }, async () => {
    const event = await firstEventSlug();
    const pages = [
      ['/', '#liste-actualites .card'],
      ['/actualites.html', '#liste .card'],
      ['/agenda.html', '#calendrier tbody tr'],
      [`/agenda.html?evenement=${event}`, '#evenement article'],
      ['/associations.html', '#liste .card'],
      ['/associations.html?structure=amis-du-patrimoine', '#structure article'],
      ['/emploi.html', '#liste .card'],
      ['/recherche.html?q=ecole', '#resultats .card'],
      ['/page.html?slug=le-conseil-municipal', '#page-corps h2'],
      ['/page.html?rubrique=mairie', '#page-corps .card'],
      ['/plan-du-site.html', '#rubriques-contenu li'],
      ['/ma-structure.html', '#zone a.btn'],
    ];
    for (const viewport of [undefined, PHONE]) {
      for (const [path, ready] of pages) {
        const label = `${path}${viewport ? ' (360 px)' : ''}`;
        const { page, context, response, problems } = await openPage(browser, path, { viewport, allow: EXPECTED_4XX });
        try {
          assert.equal(response.status(), 200, label);
          await page.locator(ready).first().waitFor({ timeout: budget(15_000) });
          assert.equal(await page.locator('[style]').count(), 0, `${label}: no style attribute`);
          if (viewport) {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 1, `${label}: no horizontal scroll (${overflow}px)`);
          }
          await screenshot(page, `content-${label}`);
          await assertAccessible(page, label);
          assertNoProblems(problems, label);
        } finally {
          await context.close();
        }
      }
    }
  });

  it('the home page shows the alert banner, the news and the next events', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/');
    try {
      await page.locator('#alerte').waitFor({ state: 'visible' });
      assert.match(await page.locator('[data-alert-message]').innerText(), /Loire/);
      assert.equal(await page.locator('#liste-actualites .card').count(), 3);
      assert.ok(await page.locator('#liste-agenda .card').count() >= 1);
      assertNoProblems(problems, '/');
    } finally {
      await context.close();
    }
  });

  it('search answers while the citizen types, accents ignored', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/recherche.html');
    try {
      await page.getByLabel('Que cherchez-vous ?').pressSequentially('ecole mat', { delay: 40 });
      await page.locator('#resultats .card').first().waitFor();
      assert.ok(await page.locator('#resultats mark').count() >= 1, 'matched words are marked');
      assert.match(await page.locator('#resultats').innerText(), /[ÉE]cole/);
      assert.match(await page.locator('#etat').innerText(), /résultat/);
      await assertAccessible(page, '/recherche.html (results)');
      assertNoProblems(problems, '/recherche.html');
    } finally {
      await context.close();
    }
  });

  it('the job form lists the errors, then accepts a real offer', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/emploi.html', { allow: EXPECTED_4XX });
    try {
      await page.getByRole('button', { name: 'Envoyer l’offre' }).click();
      const summary = page.locator('#form-zone .error-summary');
      await summary.getByRole('heading').waitFor();
      assert.ok(await summary.getByRole('link').count() >= 4);
      assert.equal(await page.getByLabel(/Intitulé du poste/).getAttribute('aria-invalid'), 'true');
      await assertAccessible(page, '/emploi.html (errors)');
      await page.getByLabel(/Intitulé du poste/).fill('Vendeur ou vendeuse en boulangerie');
      await page.getByLabel(/Employeur/).fill('Boulangerie des Quais');
      await page.getByLabel(/Type de contrat/).selectOption('cdd');
      await page.getByLabel(/Lieu de travail/).fill('Beaulieu-sur-Loire');
      await page.getByLabel(/Description du poste/).fill('Accueil des clients et vente, du mardi au samedi matin.');
      await page.getByLabel(/Courriel pour les candidatures/).fill('emploi@boulangerie-quais.example');
      const d = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
      await page.getByLabel(/Date de fin de publication/).fill(d);
      await page.getByRole('button', { name: 'Envoyer l’offre' }).click();
      await page.getByText('Merci, votre offre a bien été reçue.').waitFor();
      assertNoProblems(problems, '/emploi.html');
    } finally {
      await context.close();
    }
  });

  async function adminLogin(page, email) {
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    // The SPA stays on the deep link that was asked for; the side navigation appears once signed in.
    await page.locator('#admin-nav').waitFor({ state: 'visible', timeout: budget(20_000) });
  }

  it('a contributor writes and submits, an editor publishes, the home page shows it', { timeout: budget(180_000) }, async () => {
    const title = `Fête de la Loire ${Date.now().toString(36)}`;
    // The contributor.
    let { page, context, problems } = await openPage(browser, '/admin/articles/edition');
    try {
      await adminLogin(page, 'contributeur@mairie.example');
      await page.getByRole('heading', { level: 1, name: 'Nouvel article' }).waitFor();
      await page.getByLabel('Type').selectOption('news');
      await page.getByLabel('Rubrique').selectOption({ label: 'Culture et loisirs' });
      await page.getByLabel('Titre', { exact: true }).fill(title);
      await page.getByLabel('Résumé').fill('Guinguette, concerts et feu d’artifice sur les quais.');
      await page.getByLabel('Texte (Markdown)').fill('## Au programme\n\n- **Concert** à 20 h\n- Feu d’artifice à 23 h\n\n<script>alert(1)</script>');
      // The server's rendering and the HTML it produced, side by side.
      await page.locator('#apercu h2').waitFor();
      assert.equal(await page.locator('#apercu h2').innerText(), 'Au programme');
      assert.match(await page.locator('#html-produit').innerText(), /<strong>Concert<\/strong>/);
      assert.doesNotMatch(await page.locator('#html-produit').innerText(), /<script>/);
      await page.getByRole('button', { name: 'Créer le brouillon' }).click();
      await page.getByText(/Enregistré \(version 1, Brouillon\)/).waitFor();
      await page.getByRole('button', { name: 'Soumettre à la relecture' }).click();
      await page.getByText('Soumis à la relecture.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Publier' }).count(), 0, 'a contributor cannot publish');
      await assertAccessible(page, '/admin/articles/edition');
      assertNoProblems(problems, 'contributor');
    } finally {
      await context.close();
    }
    // The editor.
    ({ page, context, problems } = await openPage(browser, '/admin/relecture'));
    try {
      await adminLogin(page, 'editeur@mairie.example');
      await page.getByRole('heading', { level: 1, name: 'Relecture' }).waitFor();
      await assertAccessible(page, '/admin/relecture');
      // The queue lists items (no bodies): title, author, date and the section it will appear in.
      const item = page.getByRole('listitem').filter({ hasText: title });
      assert.match(await item.innerText(), /, soumis le .+, rubrique (.+ › )?Culture et loisirs$/);
      await page.getByRole('link', { name: title }).click();
      await page.getByRole('heading', { level: 1, name: `Modifier : ${title}` }).waitFor();
      await page.getByRole('button', { name: 'Publier' }).click();
      await page.getByText('Publié.').waitFor();
      assertNoProblems(problems, 'editor');
    } finally {
      await context.close();
    }
    // The public.
    ({ page, context, problems } = await openPage(browser, '/'));
    try {
      await page.locator('#liste-actualites').getByRole('link', { name: title }).waitFor();
      await page.locator('#liste-actualites').getByRole('link', { name: title }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      assert.equal(await page.locator('#page-corps script').count(), 0);
      assert.equal(await page.locator('#page-corps h2').first().innerText(), 'Au programme');
      await assertAccessible(page, 'published article');
      assertNoProblems(problems, 'public');
    } finally {
      await context.close();
    }
  });
});
