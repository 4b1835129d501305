// The citizen's journey as a parent on a phone would take it: a procedure seen signed out, the
// wizard that checks each step, the vault's documents chosen already (and still chosen after an
// upload on the same step), a file uploaded in one procedure found by the next one, two
// procedures sent at once with one acknowledgement, and labels rather than stored values for the
// citizen and the agent. Demo accounts, real logins; every page checked with axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, BASE_URL, launch, openPage, PHONE, budget } from './helpers.mjs';

const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const allow = [/status of 401/];
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email) {
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

function pdf(title) {
  return Buffer.from(`%PDF-1.4\n% ${title}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);
}

describe('the citizen journey through the wizard', () => {
  it('signed out, step checks, vault choices across an upload, two procedures sent at once, labels for the agent', { timeout: budget(300_000) }, async () => {
    const cit = await openPage(browser, '/demarche.html?slug=inscription-scolaire', { allow, viewport: PHONE });
    const { page } = cit;
    const hugoFile = `vaccins-hugo-${Date.now()}.pdf`;
    let references = [];
    try {
      // Signed out: what, for whom, which documents, how long, how much, then the ways in.
      const about = page.locator('.ts-presentation');
      await about.getByRole('heading', { name: 'En bref' }).waitFor();
      for (const text of ['Pour qui', 'Pièces à fournir', 'Livret de famille', 'Délai de réponse', 'Coût', 'Gratuit', 'Affaires scolaires']) {
        assert.ok(await about.getByText(text, { exact: false }).first().isVisible(), `signed-out page shows ${text}`);
      }
      assert.ok(await about.getByRole('link', { name: 'Créer mon compte' }).isVisible());
      assert.ok(await about.getByRole('link', { name: 'Mot de passe oublié' }).isVisible());
      await assertAccessible(page, 'procedure signed out');
      await about.getByRole('link', { name: 'Se connecter' }).click();
      await page.waitForURL(/connexion\.html/);
      await signIn(page, 'citoyen@example.org');
      await page.waitForURL(/demarche\.html\?slug=inscription-scolaire/);

      // Step 1 checks its answer; nothing is kept on the server yet.
      await page.getByRole('heading', { name: /Étape 1 sur 4/ }).waitFor();
      await page.getByRole('button', { name: 'Continuer' }).click();
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      const link = summary.getByRole('link', { name: /Choisissez la ou les personnes/ });
      await link.click();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'member', 'the summary link leads to the field');
      assert.doesNotMatch(page.url(), /draft=/, 'no draft before the first steps are valid');
      await assertAccessible(page, 'step 1 with an error');
      await page.getByLabel(/^Hugo /).check();
      await page.getByRole('button', { name: 'Continuer' }).click();

      // Step 2: the done step reads as done (not struck through); required answers are checked.
      await page.getByRole('heading', { name: /Étape 2 sur 4/ }).waitFor();
      const done = page.locator('.ts-steps li.done');
      assert.match(await done.first().innerText(), /Pour qui/);
      assert.match(await done.first().textContent(), /étape terminée/);
      assert.equal(await done.first().evaluate((el) => getComputedStyle(el).textDecorationLine), 'none');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await summary.waitFor();
      const links = await summary.getByRole('link').allInnerTexts();
      assert.ok(links.some((t) => t.includes('Niveau à la rentrée')), links.join(' | '));
      assert.ok(links.some((t) => t.includes('École souhaitée')), links.join(' | '));
      assert.equal(await page.locator('#f-ecole').getAttribute('aria-invalid'), 'true');
      assert.doesNotMatch(page.url(), /draft=/);
      await assertAccessible(page, 'step 2 with errors');
      await page.getByLabel(/Niveau à la rentrée/).selectOption('MS');
      await page.getByLabel(/École souhaitée/).selectOption('jules-ferry');
      await page.getByLabel(/Restauration scolaire/).check();
      await page.getByRole('button', { name: 'Continuer' }).click();

      // Step 3: the vault's documents are chosen already.
      await page.getByRole('heading', { name: /Étape 3 sur 4/ }).waitFor();
      assert.match(page.url(), /draft=/, 'the draft exists once the answers are valid');
      assert.equal(await page.locator('.ts-checklist > li.missing').count(), 0, 'every piece chosen from the vault');
      assert.ok(await page.getByLabel(/livret-de-famille\.pdf/).isChecked(), 'the family record book is chosen');
      await assertAccessible(page, 'documents chosen');
      // Another file on the same step: it goes to the vault and is chosen; the others stay chosen.
      const health = page.locator('.ts-checklist > li[data-kind="health_record"]');
      await health.getByText('Envoyer un autre fichier').click();
      await health.locator('input[type=file]').setInputFiles({ name: hugoFile, mimeType: 'application/pdf', buffer: pdf('Hugo') });
      assert.ok(await health.getByLabel(/Conserver dans mes documents/).isChecked(), 'kept in the vault by default');
      await health.getByRole('button', { name: /Joindre ce fichier/ }).click();
      await page.getByText(/conservé dans vos documents/).waitFor();
      assert.ok(await page.getByLabel(new RegExp(hugoFile.replace('.', '\\.'))).isChecked(), 'the uploaded file is chosen');
      assert.ok(await page.getByLabel(/livret-de-famille\.pdf/).isChecked(), 'the family record book is still chosen');
      assert.ok(await page.getByLabel(/justificatif-domicile\.png/).isChecked(), 'the proof of address is still chosen');
      assert.equal(await page.locator('.ts-checklist > li.missing').count(), 0);
      await page.getByRole('button', { name: 'Continuer' }).click();

      // Step 4: labels, not stored values.
      await page.getByRole('heading', { name: /Étape 4 sur 4/ }).waitFor();
      const recap = page.locator('.ts-summary').first();
      const text = await recap.innerText();
      assert.match(text, /École Jules-Ferry/);
      assert.doesNotMatch(text, /jules-ferry/);
      assert.match(text, /Affaires scolaires/);
      assert.match(text, /Oui/);
      assert.match(text, new RegExp(hugoFile.replace('.', '\\.')));
      await assertAccessible(page, 'summary');

      // A second procedure in the same sending, from the end of this one.
      await page.getByRole('button', { name: 'Ajouter une autre démarche à cet envoi' }).click();
      await page.waitForURL(/demarches\.html/);
      await page.getByText(/Envoi groupé en préparation : Inscription scolaire/).waitFor();
      await assertAccessible(page, 'catalogue while adding');
      await page.getByRole('link', { name: 'Inscription à l\'accueil de loisirs' }).first().click();
      await page.getByRole('heading', { name: /Étape 1 sur 4/ }).waitFor();
      await page.getByLabel(/^Hugo /).check();
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByLabel('Période').selectOption('mercredis');
      await page.getByLabel('Mercredi').check();
      await page.getByLabel(/Personne à prévenir/).fill('Julien');
      await page.getByLabel(/Téléphone de cette personne/).fill('02 38 00 00 00');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByRole('heading', { name: /Étape 3 sur 4/ }).waitFor();
      // The file given in the first procedure is in the vault, and chosen here.
      assert.ok(await page.getByLabel(new RegExp(hugoFile.replace('.', '\\.'))).isChecked(), 'the file uploaded before is chosen');
      assert.equal(await page.locator('.ts-checklist > li.missing').count(), 0);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByRole('heading', { name: /Étape 4 sur 4/ }).waitFor();
      const both = page.locator('.ts-basket');
      await both.getByRole('heading', { name: 'Inscription scolaire' }).waitFor();
      assert.match(await both.innerText(), /École Jules-Ferry/);
      assert.match(await page.locator('.ts-summary').first().innerText(), /Les mercredis/);
      await assertAccessible(page, 'summary of two procedures');
      await page.getByRole('button', { name: 'Envoyer les 2 demandes' }).click();
      await page.waitForURL(/mes-demandes\.html\?lot=/);
      const ack = page.locator('.ts-bundle-refs');
      await ack.waitFor();
      assert.ok(await page.getByRole('heading', { name: 'Vos 2 demandes ont bien été envoyées' }).isVisible());
      references = (await ack.innerText()).match(/\d{4}-[A-Z]{3}-\d{6}/g) || [];
      assert.equal(references.length, 2, await ack.innerText());
      await assertAccessible(page, 'acknowledgement of two');
      assertNoProblems(cit.problems, 'citizen');
    } finally {
      await cit.context.close();
    }

    // The agent reads labels too.
    const scolaire = references.find((r) => /-SCO-/.test(r));
    const ag = await openPage(browser, '/admin/demarches', { allow });
    try {
      await signIn(ag.page, 'agent.scolaire@mairie.example');
      await ag.page.getByRole('link', { name: 'Démarches', exact: true }).click();
      await ag.page.getByRole('link', { name: scolaire }).click();
      await ag.page.getByRole('heading', { name: new RegExp(scolaire) }).waitFor();
      const view = await ag.page.locator('main').innerText();
      assert.match(view, /École Jules-Ferry/);
      assert.doesNotMatch(view, /jules-ferry/);
      assert.match(view, /\d{1,2} [a-zéû]+ \d{4}/, 'dates in words');
      await assertAccessible(ag.page, 'agent view with labels');
      assertNoProblems(ag.problems, 'agent');
    } finally {
      await ag.context.close();
    }
  });

  it('signed-in header on every page, Mon espace says what waits, search finds a procedure, each demo procedure can be sent', { timeout: budget(300_000) }, async () => {
    const cit = await openPage(browser, '/connexion.html', { allow, viewport: PHONE });
    const { page } = cit;
    try {
      await signIn(page, 'citoyen@example.org');
      await page.waitForURL(/mon-espace\.html/);
      // Mon espace: each tile says what waits behind it.
      await page.locator('#waits-requests').filter({ hasText: /en cours|brouillon|incomplète/ }).waitFor();
      assert.match(await page.locator('#waits-documents').innerText(), /\d+ documents/);
      assert.ok(await page.getByRole('link', { name: 'Mes demandes' }).first().isVisible());
      await assertAccessible(page, 'mon espace with what waits');
      for (const path of ['/', '/actualites.html', '/agenda.html', '/demarches.html', '/emploi.html', '/mes-demandes.html']) {
        await page.goto(BASE_URL + path, { waitUntil: 'networkidle' });
        const bar = page.locator('[data-account-bar]');
        await bar.getByText('Sophie Lefèvre').waitFor();
        assert.ok(await bar.getByRole('link', { name: 'Mes demandes' }).isVisible(), `${path}: Mes demandes`);
        assert.ok(await bar.getByRole('link', { name: 'Mon espace' }).isVisible(), `${path}: Mon espace`);
        assert.ok(await bar.getByRole('button', { name: 'Se déconnecter' }).isVisible(), `${path}: Se déconnecter`);
        assert.ok(await page.getByRole('search', { name: 'Rechercher sur le site' }).isVisible(), `${path}: search field`);
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, `${path}: no sideways scroll`);
      }
      await assertAccessible(page, 'mes demandes signed in');

      // Search from the header finds the procedure, labelled as one, in plain text.
      await page.getByRole('searchbox', { name: 'Rechercher sur le site' }).fill('conservatoire');
      await page.getByRole('search', { name: 'Rechercher sur le site' }).getByRole('button', { name: 'Rechercher' }).click();
      await page.waitForURL(/recherche\.html\?q=conservatoire/);
      const hit = page.locator('#resultats li', { hasText: 'Inscription au conservatoire' }).first();
      await hit.waitFor();
      assert.match(await hit.locator('.result-type').textContent(), /Démarche en ligne/);
      assert.doesNotMatch(await page.locator('#resultats').innerText(), /\*\*|^#/m, 'no Markdown marks in excerpts');
      await assertAccessible(page, 'search results');

      // The conservatoire (Léa's identity card is in the demo vault) and the birth certificate go through at once.
      for (const [slug, member, fill] of [
        ['inscription-conservatoire', /^Léa /, async () => {
          await page.getByLabel(/^Discipline/).selectOption('piano');
          await page.getByLabel(/^Niveau/).selectOption('debutant');
          await page.getByLabel(/Courriel de contact/).fill('sophie@example.org');
        }],
        ['acte-de-naissance', /^Sophie /, async () => {
          await page.getByLabel(/Type d'acte/).selectOption('copie_integrale');
          await page.getByLabel(/Motif de la demande/).selectOption('identite');
          await page.getByLabel(/Nombre d'exemplaires/).fill('1');
          await page.getByLabel(/Mode de délivrance/).selectOption('mairie');
        }],
      ]) {
        await page.goto(`${BASE_URL}/demarche.html?slug=${slug}`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: /Étape 1 sur 4/ }).waitFor();
        await page.getByLabel(member).check();
        await page.getByRole('button', { name: 'Continuer' }).click();
        await page.getByRole('heading', { name: /Étape 2 sur 4/ }).waitFor();
        await fill();
        await page.getByRole('button', { name: 'Continuer' }).click();
        await page.getByRole('heading', { name: /Étape 3 sur 4/ }).waitFor();
        assert.equal(await page.locator('.ts-checklist > li.missing').count(), 0, `${slug}: every piece in the vault`);
        await page.getByRole('button', { name: 'Continuer' }).click();
        await page.getByRole('heading', { name: /Étape 4 sur 4/ }).waitFor();
        await page.getByRole('button', { name: 'Envoyer la demande' }).click();
        await page.waitForURL(/mes-demandes\.html\?id=/);
        await page.locator('#ts-request-status').waitFor();
      }
      assertNoProblems(cit.problems, 'citizen');
    } finally {
      await cit.context.close();
    }
  });
});
