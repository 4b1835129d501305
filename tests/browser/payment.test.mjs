// Payment in the browser, on the demo data: the demo family pays its two open invoices in one
// checkout through the sandbox's card page; the citizen buys two concert tickets and sees their QR
// codes; a treasury agent refunds one invoice in the admin SPA. Every page passes axe-core, the
// family pages also at 360 px.

import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, BASE_URL, launch, openPage, PHONE, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const KEYS = process.env.CIVITAS_TEST_KEYS;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email, back) {
  await page.goto(`${BASE_URL}/connexion.html?retour=${encodeURIComponent(back)}`, { waitUntil: 'networkidle' });
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === back), page.click('#login-form button[type=submit]')]);
  await page.waitForLoadState('networkidle');
}

/** From the provider's hand-over page to the outcome, with this card number. */
async function payWithCard(page, card) {
  await page.getByRole('button', { name: 'Continuer vers la page de paiement sécurisée' }).waitFor();
  await assertAccessible(page, 'pay page');
  await page.getByRole('button', { name: 'Continuer vers la page de paiement sécurisée' }).click();
  await page.getByLabel('Numéro de carte').waitFor();
  await assertAccessible(page, 'sandbox card page');
  await page.getByLabel('Numéro de carte').fill(card);
  await page.getByLabel('Date d’expiration (MM/AA)').fill('12/29');
  await page.getByLabel(/Cryptogramme/).fill('123');
  await page.getByRole('button', { name: /^Payer / }).click();
  await page.getByRole('heading', { name: 'Paiement accepté' }).waitFor();
  await assertAccessible(page, 'sandbox outcome');
  await page.getByRole('link', { name: 'Retour au portail de la ville' }).click();
  await page.getByText('Votre paiement est accepté.').waitFor({ timeout: budget(60_000) });
  await assertAccessible(page, 'payment result');
}

function adminToken() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({
    iss: 'civitas-account', aud: 'civitas', sub: randomUUID(), role: 'agent', jti: randomUUID(),
    services: ['regie'], iat: now, exp: now + 600,
  })}`;
  const sig = sign('sha256', Buffer.from(input), { key: readFileSync(path.join(KEYS, 'jwt-private.pem')), dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

describe('payment in the browser', () => {
  it('a family pays two invoices at once, buys two tickets and sees their QR codes', { timeout: budget(300_000) }, async () => {
    const allow = [/status of 401/];
    const { page, context, problems } = await openPage(browser, '/', { allow, viewport: PHONE });
    try {
      await signIn(page, 'citoyen@example.org', '/factures.html');
      await page.getByRole('heading', { name: 'À payer' }).waitFor();
      const boxes = page.locator('#paiement-app input[type=checkbox]');
      assert.ok((await boxes.count()) >= 2, 'the demo family has two open invoices');
      await page.getByText(/Tarif calculé selon votre quotient familial \(850\)/).first().waitFor();
      assert.match(await page.locator('#total').innerText(), /Total sélectionné/);
      await assertAccessible(page, 'Mes factures (360 px)');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `Mes factures is ${overflow}px wider than 360 px`);
      await page.getByRole('button', { name: 'Payer la sélection' }).click();
      await payWithCard(page, '4970 1000 0000 0003');
      await page.goto(`${BASE_URL}/factures.html`, { waitUntil: 'networkidle' });
      await page.getByText('Vous n’avez aucune facture à payer.').waitFor();
      assert.ok((await page.getByRole('button', { name: /Voir le reçu/ }).count()) >= 3, 'receipts of the paid invoices');

      // two concert tickets
      await page.goto(`${BASE_URL}/agenda.html?evenement=concert-orchestre-harmonie`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { name: 'Billetterie' }).waitFor();
      await assertAccessible(page, 'event with ticketing (360 px)');
      await page.getByLabel('Nombre de places, Plein tarif').fill('2');
      await page.getByRole('button', { name: 'Acheter — Plein tarif' }).click();
      await payWithCard(page, '4970 1000 0000 0003');
      assert.match(await page.locator('#paiement-app').innerText(), /2 billet/);
      await page.goto(`${BASE_URL}/billets.html`, { waitUntil: 'networkidle' });
      const qr = page.getByRole('img', { name: /Code QR du billet Plein tarif/ });
      await qr.first().waitFor();
      assert.equal(await qr.count(), 2);
      await page.waitForFunction(() => [...document.querySelectorAll('.ticket img')].every((i) => i.complete && i.naturalWidth > 0));
      await assertAccessible(page, 'Mes billets (360 px)');
      assertNoProblems(problems, 'family payment');
    } finally {
      await context.close();
    }
  });

  it('a treasury agent refunds part of a paid invoice', { timeout: budget(120_000), skip: !KEYS && 'needs CIVITAS_TEST_KEYS' }, async () => {
    const token = adminToken();
    const setup = async (page) => {
      await page.context().addCookies([{ name: 'civitas_session', value: '1', url: BASE_URL }]);
      await page.route('**/api/account/v1/session/refresh', (route) => route.fulfill({
        status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: token }),
      }));
      await page.route('**/api/account/v1/me', (route) => route.fulfill({
        status: 200, contentType: 'application/json',
        body: JSON.stringify({ id: randomUUID(), email: 'regie@mairie.example', given_name: 'Régie', family_name: 'Municipale', role: 'agent', services: ['regie'] }),
      }));
    };
    // a list reload still in flight when the test moves on is aborted by the navigation, not failed
    const { page, context, problems } = await openPage(browser, '/admin/paiements', { setup, allow: [/ERR_ABORTED/] });
    try {
      await page.getByRole('table', { name: 'Factures' }).waitFor();
      await assertAccessible(page, 'admin invoices');
      const refund = page.getByRole('button', { name: /^Rembourser/ }).first();
      await refund.waitFor();
      const answers = ['10', 'Absence pour maladie'];
      page.on('dialog', (d) => d.accept(answers.shift()));
      await refund.click();
      await page.getByText(/10,00\s*€.* remboursés/).first().waitFor();
      await page.goto(`${BASE_URL}/admin/paiements/transactions`, { waitUntil: 'networkidle' });
      await page.getByRole('table', { name: 'Totaux par jour et par prestataire' }).waitFor();
      await assertAccessible(page, 'admin transactions');
      await page.goto(`${BASE_URL}/admin/paiements/billetterie`, { waitUntil: 'networkidle' });
      await page.getByText(/Concert/).first().waitFor();
      await assertAccessible(page, 'admin ticketing');
      await page.goto(`${BASE_URL}/admin/paiements/controle`, { waitUntil: 'networkidle' });
      await page.getByLabel(/Code du billet/).fill('CVT1.faux');
      await page.getByRole('button', { name: 'Vérifier' }).click();
      await page.getByText('Billet invalide. Refusez l’entrée.').waitFor();
      await assertAccessible(page, 'door check');
      assertNoProblems(problems, 'admin payments');
    } finally {
      await context.close();
    }
  });
});
