// Browser test of the API reference (/docs/): each spec listed in /docs/openapi/index.json is
// rendered on its own page (/docs/?service=<svc>) with its operations, folded parts open on
// demand, no console error, and axe finds no WCAG 2.1 A/AA violation.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, screenshot, budget } from './helpers.mjs';

describe('API reference', { timeout: budget(300_000) }, () => {
  let browser;
  let names = [];
  before(async () => {
    browser = await launch();
    const base = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
    names = await (await fetch(`${base}/docs/openapi/index.json`)).json();
  });
  after(async () => { await browser?.close(); });

  it('index.json lists the five services', () => {
    assert.deepEqual(names, ['content', 'account', 'teleservices', 'payment', 'stats']);
  });

  it('/docs/ without a service shows the first one and links to all', { timeout: budget(90_000) }, async () => {
    const { page, context, response, problems } = await openPage(browser, '/docs/');
    try {
      assert.equal(response.status(), 200);
      await page.waitForSelector('.docs-service');
      assert.equal(await page.locator(`#svc-${names[0]}`).count(), 1);
      for (const svc of names) assert.equal(await page.locator(`.docs-services a[href="?service=${svc}"]`).count(), 1);
      assert.equal(await page.locator('.docs-services a[aria-current="page"]').innerText(), names[0]);
      assertNoProblems(problems, '/docs/');
    } finally {
      await context.close();
    }
  });

  for (const svc of ['content', 'account', 'teleservices', 'payment', 'stats']) {
    it(`/docs/?service=${svc} documents its operations and passes axe`, { timeout: budget(120_000) }, async () => {
      const { page, context, problems } = await openPage(browser, `/docs/?service=${svc}`);
      try {
        await page.waitForSelector(`#svc-${svc}`);
        assert.equal(await page.locator('.docs-service').count(), 1, 'one service per page');
        assert.equal(await page.locator('h1').count(), 1);
        assert.ok(await page.locator('.docs-op code.docs-path', { hasText: `/api/${svc}/v1/healthz` }).count() >= 1,
          `${svc} documents healthz`);
        assert.match(await page.locator('#docs-status').innerText(), /documenté/);
        // A folded part is built when opened.
        const folded = page.locator(`#svc-${svc} details.docs-nested`).first();
        if (await folded.count()) {
          await folded.locator('summary').click();
          await page.waitForFunction((el) => el.children.length > 1, await folded.elementHandle());
        }
        await screenshot(page, `docs-${svc}`);
        await assertAccessible(page, `/docs/?service=${svc}`);
        assertNoProblems(problems, `/docs/?service=${svc}`);
      } finally {
        await context.close();
      }
    });
  }
});
