// A citizen registers her child to school with documents from her vault and follows the
// request, while the school agent asks for a missing document and then accepts it. Real demo
// accounts, real logins (POST /api/account/v1/login); every page checked with axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, PHONE, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email) {
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

describe('teleservices in the browser', () => {
  it('school registration with vault documents, missing document, acceptance', { timeout: budget(240_000) }, async () => {
    const allow = [/status of 401/];
    const cit = await openPage(browser, '/demarches.html', { allow });
    const { page } = cit;
    try {
      await page.getByRole('link', { name: 'Inscription scolaire' }).first().waitFor();
      await assertAccessible(page, 'catalogue');
      await page.getByRole('link', { name: 'Inscription scolaire' }).first().click();
      await page.waitForURL(/demarche\.html\?slug=inscription-scolaire/);
      await page.locator('.ts-presentation').getByRole('link', { name: 'Se connecter' }).click();
      await signIn(page, 'citoyen@example.org');
      await page.waitForURL(/demarche\.html\?slug=inscription-scolaire/);
      await page.getByRole('heading', { name: /Étape 1 sur 4/ }).waitFor();
      await assertAccessible(page, 'step 1');
      await page.getByLabel(/^Léa /).check();
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByRole('heading', { name: /Étape 2 sur 4/ }).waitFor();
      await page.getByLabel(/Niveau à la rentrée/).selectOption('CE1');
      await page.getByLabel(/École souhaitée/).selectOption('jules-ferry');
      await page.getByLabel(/Restauration scolaire/).check();
      await assertAccessible(page, 'step 2');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByRole('heading', { name: /Étape 3 sur 4/ }).waitFor();
      assert.equal(await page.locator('.ts-checklist > li.missing').count(), 0, 'the vault documents are chosen already');
      await assertAccessible(page, 'step 3');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByRole('heading', { name: /Étape 4 sur 4/ }).waitFor();
      await assertAccessible(page, 'summary');
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.waitForURL(/mes-demandes\.html\?id=/);
      await page.locator('#ts-request-status').waitFor();
      const notice = await page.locator('.notice').innerText();
      const reference = notice.match(/\d{4}-SCO-\d{6}/)[0];
      assert.match(await page.locator('#ts-request-status').innerText(), /Reçue/);
      await assertAccessible(page, 'mes demandes');

      // The agent asks for a missing document.
      const ag = await openPage(browser, '/admin/demarches', { allow });
      try {
        await signIn(ag.page, 'agent.scolaire@mairie.example');
        await ag.page.getByRole('link', { name: 'Démarches', exact: true }).click();
        await ag.page.getByRole('link', { name: reference }).click();
        await ag.page.getByRole('heading', { name: new RegExp(reference) }).waitFor();
        await assertAccessible(ag.page, 'agent request');
        await ag.page.getByLabel(/Message au demandeur/).fill('Merci d’ajouter la carte d’identité du responsable légal.');
        await ag.page.getByRole('button', { name: 'Demander une pièce ou une information' }).click();
        await ag.page.locator('#ts-agent-status', { hasText: 'Incomplète' }).waitFor();

        // The citizen sees it, adds the document from her vault and sends the request back.
        await page.reload();
        await page.locator('#ts-request-status', { hasText: 'manquante' }).waitFor();
        // The agent's words are in the box where the citizen answers them.
        const box = page.locator('.ts-complete');
        assert.match(await box.locator('.ts-asked').innerText(), /carte d’identité du responsable légal/);
        await assertAccessible(page, 'incomplete request');
        // Sent back unchanged: a warning first, and nothing sent.
        await page.getByRole('button', { name: 'Renvoyer ma demande complétée' }).click();
        await box.getByRole('alert').filter({ hasText: 'aucun document' }).waitFor();
        assert.match(await page.locator('#ts-request-status').innerText(), /manquante/);
        const pick = page.getByLabel('Ajouter un document de mon espace');
        const value = await pick.locator('option', { hasText: 'Pièce d’identité' }).first().getAttribute('value');
        await pick.selectOption(value);
        await page.getByRole('button', { name: 'Ajouter ce document' }).click();
        await page.getByRole('status').filter({ hasText: 'Document ajouté' }).waitFor({ state: 'attached' });
        await page.getByRole('button', { name: 'Renvoyer ma demande complétée' }).click();
        await page.locator('#ts-request-status', { hasText: 'Reçue' }).waitFor();

        // The agent takes it and accepts it.
        await ag.page.reload();
        await ag.page.getByRole('button', { name: 'Prendre en charge' }).click();
        await ag.page.locator('#ts-agent-status', { hasText: 'En cours' }).waitFor();
        // Accepting asks for confirmation and shows what the citizen will receive.
        await ag.page.getByRole('button', { name: 'Accepter' }).click();
        const confirmBox = ag.page.getByRole('alertdialog');
        await confirmBox.waitFor();
        assert.match(await confirmBox.locator('.ts-mail-preview').innerText(), new RegExp(`${reference}\\) a été acceptée`));
        await confirmBox.getByRole('button', { name: 'Confirmer : accepter' }).click();
        await ag.page.locator('#ts-agent-status', { hasText: 'Acceptée' }).waitFor();
        assert.ok(await ag.page.getByRole('status').filter({ hasText: 'Statut : Acceptée' }).isVisible(), 'the success is visible');
        await ag.page.getByRole('link', { name: 'Indice de qualité' }).click();
        await ag.page.getByRole('table').waitFor();
        await assertAccessible(ag.page, 'sla dashboard');
        assertNoProblems(ag.problems, 'agent');
      } finally {
        await ag.context.close();
      }
      await page.reload();
      await page.locator('#ts-request-status', { hasText: 'Acceptée' }).waitFor();
      const steps = await page.locator('.ts-timeline > li').count();
      assert.equal(steps, 6);
      await page.setViewportSize(PHONE);
      await assertAccessible(page, 'accepted request on a phone');
      assertNoProblems(cit.problems, 'citizen');
    } finally {
      await cit.context.close();
    }
  });
});
