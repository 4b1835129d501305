// Browser test of the citizen account pages: a citizen registers, opens the verification link
// from the e-mail the SMTP catcher caught, signs in and sees "Mon espace"; every account page
// passes axe (WCAG 2.1 A/AA) and logs no error.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, BASE_URL, launch, openPage, PHONE, screenshot, budget } from './helpers.mjs';

const MAIL = process.env.CIVITAS_TEST_MAIL || '';
const PAGES = ['/inscription.html', '/connexion.html', '/mot-de-passe-oublie.html', '/verification.html',
  '/reinitialisation.html', '/mon-espace.html'];
// Links opened without a token answer 400 from the API on purpose (logged by Chromium).
const EXPECTED = [/Failed to load resource: the server responded with a status of 400/];

async function waitForMail(to, needle) {
  for (let i = 0; i < 100; i++) {
    for (const name of readdirSync(MAIL).filter((n) => n.endsWith('.eml')).sort().reverse()) {
      const text = readFileSync(path.join(MAIL, name), 'utf8');
      if (text.includes(`\r\nTo: ${to}\r\n`) && text.includes(needle)) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no e-mail to ${to} containing ${needle}`);
}

describe('citizen account pages', { timeout: budget(300_000) }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  for (const urlPath of PAGES) {
    for (const [label, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
      it(`${urlPath} (${label}) has one h1, no error and passes axe`, { timeout: budget(60_000) }, async () => {
        const { page, context, response, problems } = await openPage(browser, urlPath, { viewport, allow: EXPECTED });
        try {
          assert.equal(response.status(), 200);
          assert.equal(await page.locator('h1').count(), 1);
          assert.equal(await page.locator('[style]').count(), 0, 'no style attribute');
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= (viewport ? viewport.width : 1280), `no horizontal scroll (${width})`);
          await assertAccessible(page, `${urlPath} ${label}`);
          assertNoProblems(problems, urlPath);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('the register form shows accessible errors for a short password', { timeout: budget(60_000) }, async () => {
    const { page, context, problems } = await openPage(browser, '/inscription.html',
      { allow: [/status of 422/] });
    try {
      await page.getByLabel('Prénom').fill('Jeanne');
      await page.getByLabel('Nom', { exact: true }).fill('Bertin');
      await page.getByLabel('Adresse électronique').fill('jeanne.bertin@example.org');
      await page.getByLabel('Mot de passe').fill('court');
      await page.getByRole('button', { name: 'Créer mon compte' }).click();
      const summary = page.locator('.error-summary');
      await summary.getByRole('link').first().waitFor();
      assert.match(await summary.innerText(), /12 et 128 caractères/);
      assert.equal(await page.getByLabel('Mot de passe').getAttribute('aria-invalid'), 'true');
      await assertAccessible(page, 'register with errors');
      assertNoProblems(problems, 'register errors');
    } finally {
      await context.close();
    }
  });

  it('a citizen registers, verifies the address from the e-mail, signs in and sees Mon espace', { timeout: budget(120_000) }, async () => {
    assert.ok(MAIL, 'CIVITAS_TEST_MAIL is set by ./civitas test');
    const email = `navigateur.${Date.now()}@example.org`;
    const password = 'une phrase de passe solide';
    const { page, context, problems } = await openPage(browser, '/inscription.html');
    try {
      await page.getByLabel('Prénom').fill('Camille');
      await page.getByLabel('Nom', { exact: true }).fill('Rousseau');
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByLabel('Mot de passe').fill(password);
      await page.getByRole('button', { name: 'Créer mon compte' }).click();
      await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();

      const mail = await waitForMail(email, 'verification.html?token=');
      const link = mail.match(/https?:\/\/\S+\/verification\.html\?token=([A-Za-z0-9_-]{43})/);
      assert.ok(link, 'the e-mail carries the verification link');
      await page.goto(`${BASE_URL}/verification.html?token=${link[1]}`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { name: 'Votre adresse est confirmée' }).waitFor();
      assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
      await assertAccessible(page, 'verification done');

      await page.getByRole('link', { name: 'Se connecter' }).last().click();
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByLabel('Mot de passe').fill(password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL('**/mon-espace.html');
      await page.getByText('Bonjour Camille Rousseau.').waitFor();
      assert.equal(await page.getByLabel('Prénom').inputValue(), 'Camille');
      assert.ok(await page.getByRole('link', { name: 'Ma famille' }).isVisible());
      // The sessions list is fetched after the greeting: wait for it (isVisible does not wait).
      await page.getByText('Cette session').waitFor();
      assert.ok(await page.getByText('Cette session').isVisible());
      await screenshot(page, 'mon-espace-connecte');
      await assertAccessible(page, 'mon espace signed in');

      // the profile is saved with If-Match, and a reload keeps the session (refresh cookie)
      await page.getByLabel('Téléphone (facultatif)').fill('02 38 11 22 33');
      await page.getByRole('button', { name: 'Enregistrer mon profil' }).click();
      await page.getByText('Votre profil est enregistré.').waitFor();
      await page.reload({ waitUntil: 'networkidle' });
      await page.getByText('Bonjour Camille Rousseau.').waitFor();
      assert.equal(await page.getByLabel('Téléphone (facultatif)').inputValue(), '02 38 11 22 33');
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      assert.ok(!stored.includes('eyJ'), 'no token in web storage');

      assertNoProblems(problems, 'registration journey');
      await page.getByRole('button', { name: 'Me déconnecter' }).click();
      await page.waitForURL(`${BASE_URL}/`);
      await page.goto(`${BASE_URL}/mon-espace.html`, { waitUntil: 'networkidle' });
      assert.ok(await page.getByRole('link', { name: 'Créer mon compte' }).first().isVisible());
    } finally {
      await context.close();
    }
  });
});
