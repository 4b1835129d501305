// Browser test of the API reference (/docs/): every spec listed in /docs/openapi/index.json is
// rendered with its operations, without console error, and axe finds no WCAG 2.1 A/AA violation.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, assertNoProblems, launch, openPage, screenshot } from './helpers.mjs';

describe('API reference', { timeout: 120_000 }, () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('/docs/ renders every service spec and passes axe', { timeout: 90_000 }, async () => {
    const { page, context, response, problems } = await openPage(browser, '/docs/');
    try {
      assert.equal(response.status(), 200);
      const names = await page.evaluate(() => fetch('/docs/openapi/index.json').then((r) => r.json()));
      assert.ok(Array.isArray(names) && names.length > 0, 'index.json lists the specs');
      await page.waitForFunction((n) => document.querySelectorAll('.docs-service').length === n, names.length);
      assert.equal(await page.locator('h1').count(), 1);
      for (const svc of names) {
        const section = page.locator(`#svc-${svc}`);
        assert.equal(await section.count(), 1, `section for ${svc}`);
        assert.ok(await section.locator('.docs-op code.docs-path', { hasText: `/api/${svc}/v1/healthz` }).count() >= 1, `${svc} documents healthz`);
      }
      assert.match(await page.locator('#docs-status').innerText(), /documenté/);
      await screenshot(page, 'docs');
      await assertAccessible(page, '/docs/');
      assertNoProblems(problems, '/docs/');
    } finally {
      await context.close();
    }
  });
});
