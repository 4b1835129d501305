// System tests of the whole stack through the nginx gateway (started by `./civitas test`):
// health probes, metrics, hidden internal routes, security headers, gzip, docs and SPA fallback.

import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

const BASE_URL = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const SERVICES = ['content', 'account', 'teleservices', 'payment', 'stats'];

function get(path, headers = {}) {
  return fetch(BASE_URL + path, { headers, redirect: 'manual' });
}

/** Raw GET that does not decode the body, to see exactly what the gateway sent. */
function rawGet(path, headers = {}) {
  const url = new URL(BASE_URL + path);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
  });
}

function assertJsonType(res, path, type = 'application/json') {
  const ct = res.headers.get('content-type') || '';
  assert.ok(ct.startsWith(type), `${path}: Content-Type ${ct} should start with ${type}`);
}

async function assertProblem(res, path, status) {
  assert.equal(res.status, status, `${path}: status`);
  assertJsonType(res, path, 'application/problem+json');
  const body = await res.json();
  assert.equal(body.status, status, `${path}: problem.status`);
  assert.equal(typeof body.code, 'string', `${path}: problem.code`);
  assert.equal(typeof body.title, 'string', `${path}: problem.title`);
  return body;
}

/** CSP directives as a Map: name → list of source expressions. */
function parseCsp(csp) {
  const map = new Map();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !map.has(name.toLowerCase())) map.set(name.toLowerCase(), values);
  }
  return map;
}

// Pages must run their own scripts only (script-src 'self'); an API answer may forbid scripts
// entirely (default-src 'none'), which is stricter still.
function assertSecurityHeaders(headers, path, { page }) {
  const csp = headers.get('content-security-policy') || '';
  const d = parseCsp(csp);
  const scripts = (d.get('script-src') || d.get('default-src') || []).join(' ');
  if (page) assert.equal(scripts, "'self'", `${path}: CSP script-src 'self' (got "${csp}")`);
  else assert.match(scripts, /^('self'|'none')$/, `${path}: CSP lets no foreign or inline script run (got "${csp}")`);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${path}: CSP frame-ancestors 'none' (got "${csp}")`);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${path}: CSP allows no inline code`);
  // A daemon and nginx may both send it; Fetch reads "nosniff, nosniff" as nosniff, so allow that.
  const xcto = (headers.get('x-content-type-options') || '').toLowerCase().split(',').map((v) => v.trim());
  assert.ok(xcto.length > 0 && xcto.every((v) => v === 'nosniff'), `${path}: X-Content-Type-Options nosniff (got "${xcto}")`);
  assert.ok(headers.get('referrer-policy'), `${path}: Referrer-Policy present`);
}

describe('health probes through the gateway', () => {
  for (const svc of SERVICES) {
    for (const probe of ['healthz', 'readyz']) {
      const path = `/api/${svc}/v1/${probe}`;
      it(`GET ${path} → 200 JSON`, async () => {
        const res = await get(path);
        assert.equal(res.status, 200, `${path}: status`);
        assertJsonType(res, path);
        const body = await res.json();
        assert.equal(typeof body, 'object');
        assert.ok(body !== null && !Array.isArray(body), `${path}: a JSON object`);
      });
    }

    it(`GET /api/${svc}/v1/metrics → Prometheus text`, async () => {
      const path = `/api/${svc}/v1/metrics`;
      const res = await get(path);
      assert.equal(res.status, 200, `${path}: status`);
      assert.match(res.headers.get('content-type') || '', /^text\/plain/, `${path}: Content-Type`);
      const text = await res.text();
      assert.match(text, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /m, `${path}: has HELP/TYPE lines`);
      assert.match(text, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9][0-9.eE+-]*|NaN|[+-]Inf)\s*$/m, `${path}: has a sample`);
    });
  }
});

describe('routes the gateway must not expose', () => {
  for (const path of ['/internal/v1/events', '/api/content/internal/x', '/api/account/internal/v1/events']) {
    it(`GET ${path} → 404`, async () => {
      const res = await get(path);
      assert.equal(res.status, 404, `${path}: status`);
    });
  }

  it('POST /internal/v1/events → 404 (no method gets through)', async () => {
    const res = await fetch(`${BASE_URL}/internal/v1/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 404);
  });
});

describe('unknown API paths answer problem+json 404', () => {
  it('unknown path of a known service', async () => {
    const body = await assertProblem(await get('/api/content/v1/no-such-thing'), '/api/content/v1/no-such-thing', 404);
    assert.equal(body.code, 'not_found');
  });

  it('unknown service', async () => {
    const body = await assertProblem(await get('/api/no-such-service/v1/healthz'), '/api/no-such-service/v1/healthz', 404);
    assert.equal(body.code, 'not_found');
  });
});

describe('security headers', () => {
  for (const path of ['/', '/admin/', '/docs/', '/404.html']) {
    it(`on the page ${path}`, async () => {
      assertSecurityHeaders((await get(path)).headers, path, { page: true });
    });
  }
  for (const path of ['/api/content/v1/healthz', '/api/content/v1/no-such-thing', '/api/no-such-service/v1/x']) {
    it(`on the API answer ${path}`, async () => {
      assertSecurityHeaders((await get(path)).headers, path, { page: false });
    });
  }
});

describe('static sites', () => {
  it('/ serves the French public home page', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html lang="fr">/);
    assert.match(html, /Aller au contenu/);
  });

  it('/site.json gives the town configuration', async () => {
    const res = await get('/site.json');
    assert.equal(res.status, 200);
    assertJsonType(res, '/site.json');
    const site = await res.json();
    assert.equal(typeof site.town_name, 'string');
    assert.ok(site.town_name.length > 0);
    assert.equal(typeof site.logo_url, 'string');
  });

  it('/lib/api.js is served as JavaScript', async () => {
    const res = await get('/lib/api.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^(application|text)\/javascript/);
  });

  it('an unknown page gives 404 with the French error page', async () => {
    const res = await get('/page-qui-n-existe-pas');
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Page introuvable/);
  });

  for (const path of ['/admin/', '/admin/some/deep/link', '/admin/contenus']) {
    it(`${path} serves the agent SPA`, async () => {
      const res = await get(path);
      assert.equal(res.status, 200, `${path}: status`);
      assert.match(res.headers.get('content-type') || '', /^text\/html/);
      assert.match(await res.text(), /<meta name="civitas-app" content="admin">/);
    });
  }

  it('/docs/ serves the API reference page', async () => {
    const res = await get('/docs/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^text\/html/);
    assert.match(await res.text(), /docs\.js/);
  });

  it('/docs/openapi/index.json lists the five specs', async () => {
    const res = await get('/docs/openapi/index.json');
    assert.equal(res.status, 200);
    assert.deepEqual([...(await res.json())].sort(), [...SERVICES].sort());
  });

  for (const svc of SERVICES) {
    it(`/docs/openapi/${svc}.json is an OpenAPI 3.1 document`, async () => {
      const res = await get(`/docs/openapi/${svc}.json`);
      assert.equal(res.status, 200);
      const spec = await res.json();
      assert.match(String(spec.openapi), /^3\.1\./);
      assert.equal(typeof spec.info?.title, 'string');
      assert.ok(spec.paths && spec.paths[`/api/${svc}/v1/healthz`], `${svc}.json documents healthz`);
    });
  }
});

describe('gzip compression of text responses', () => {
  for (const path of ['/', '/assets/css/site.css', '/lib/api.js', '/docs/openapi/content.json']) {
    it(`${path} is gzipped when the client accepts it`, async () => {
      const res = await rawGet(path, { 'Accept-Encoding': 'gzip' });
      assert.equal(res.status, 200, `${path}: status`);
      assert.equal(res.headers['content-encoding'], 'gzip', `${path}: Content-Encoding`);
      assert.match(res.headers.vary || '', /Accept-Encoding/i, `${path}: Vary`);
      assert.ok(gunzipSync(res.body).length > 0, `${path}: body decompresses`);
    });
  }

  it('a public list comes gzipped from the micro-cache, compressed once, equal to the plain answer', async () => {
    const path = '/api/content/v1/articles?limit=20';
    let plain, gz;
    // Other test files publish meanwhile: compare two answers of the same version (their ETags
    // are "x" and "x-gz"), asking again when a publication came between them.
    for (let i = 0; i < 5; i++) {
      plain = await rawGet(path, { 'Accept-Encoding': 'identity' });
      gz = await rawGet(path, { 'Accept-Encoding': 'gzip, deflate, br' });
      if (gz.headers.etag === `${(plain.headers.etag || '').slice(0, -1)}-gz"`) break;
    }
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers.vary || '', /Accept-Encoding/i);
    // The daemon's own copy: a strong ETag of its own (nginx would have made it weak, W/"…").
    assert.match(gz.headers.etag || '', /^"[0-9a-f]+-gz"$/);
    assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  });

  it('is not gzipped for a client that did not ask', async () => {
    const res = await rawGet('/assets/css/site.css', { 'Accept-Encoding': 'identity' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
  });
});
