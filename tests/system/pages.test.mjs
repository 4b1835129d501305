// System tests of the public pages as nginx assembles them: the shared header and footer come
// from server-side includes, carry the town's configured name (HTML-escaped), mark the current
// navigation entry, and the include fragments themselves are not reachable from outside.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const BASE_URL = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

async function page(path) {
  const res = await fetch(BASE_URL + path);
  return { status: res.status, text: await res.text() };
}

describe('public pages (server-side includes)', () => {
  it('a page carries the header, the footer and the town name, with no SSI left over', async () => {
    const { status, text } = await page('/actualites.html');
    assert.equal(status, 200);
    assert.match(text, /<header class="site-header">/);
    assert.match(text, /<footer class="site-footer">/);
    assert.match(text, /<span class="brand-name" data-site="town_name">[^<]+<\/span>/);
    assert.match(text, /<title>Actualités — [^<]+<\/title>/);
    // The shared head lines (partials/head.html) come first, the charset before anything else.
    assert.match(text, /<head>\s*<meta charset="utf-8">\s*<meta name="viewport"[^>]*>\s*<link rel="icon"/);
    assert.match(text, /<script type="module" src="\/assets\/js\/main.js"><\/script>/);
    assert.doesNotMatch(text, /<!--#/, 'every SSI directive is processed');
    assert.doesNotMatch(text, /\[an error occurred/, 'no SSI error message');
  });

  it('only the current page is marked in the main navigation', async () => {
    const { text } = await page('/agenda.html');
    const current = [...text.matchAll(/<a href="([^"]+)" aria-current="page">/g)].map((m) => m[1]);
    assert.ok(current.includes('/agenda.html'), `agenda is current: ${current}`);
    assert.ok(!current.includes('/actualites.html'));
    const home = await page('/');
    assert.match(home.text, /<a href="\/" aria-current="page">Accueil<\/a>/);
  });

  it('the 404 page is assembled too', async () => {
    const { status, text } = await page('/cette-page-n-existe-pas.html');
    assert.equal(status, 404);
    assert.match(text, /<header class="site-header">/);
    assert.doesNotMatch(text, /<!--#/);
  });

  it('include fragments are internal', async () => {
    for (const path of ['/partials/head.html', '/partials/header.html', '/partials/footer.html', '/_site/town_name.html']) {
      const { status } = await page(path);
      assert.equal(status, 404, `${path} must not be served directly`);
    }
  });
});
