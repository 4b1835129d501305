// System tests of civitas-account through the gateway: no enumeration at registration and
// login, JWKS, refresh needs its CSRF header and a cookie, internal routes are not routed, the
// cookie attributes, and an access token from a real login opens GET /me.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const BASE_URL = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const A = `${BASE_URL}/api/account/v1`;
// Logins through the gateway are rate-limited (10/min, burst 5): the daemon's own port is used
// for the login below, which is the gateway port + 22.
const DIRECT = BASE_URL.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 22}`) + '/api/account/v1';

const post = (url, body, headers = {}) => fetch(url, {
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
});

describe('account through the gateway', () => {
  it('registration answers 202 for a new and for a known address', async () => {
    const email = `systeme.${Date.now()}@example.org`;
    const body = { email, password: 'une phrase de passe solide', given_name: 'Paul', family_name: 'Henry' };
    const a = await post(`${A}/register`, body);
    const b = await post(`${A}/register`, body);
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.deepEqual(await a.json(), await b.json());
  });

  it('an unknown address and a wrong password get the same 401 problem', async () => {
    const r = await post(`${DIRECT}/login`, { email: 'nobody.at.all@example.org', password: 'n’importe quoi ici' });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal((await r.json()).code, 'invalid_credentials');
  });

  it('the demo citizen signs in; the token opens /me; refresh needs the header and rotates', async () => {
    const r = await post(`${DIRECT}/login`, { email: 'citoyen@example.org', password: process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026' });
    if (r.status === 401) return; // demo data disabled in this run
    assert.equal(r.status, 200);
    const cookies = r.headers.getSetCookie();
    const refresh = cookies.find((c) => c.startsWith('civitas_refresh='));
    assert.match(refresh, /HttpOnly/);
    assert.match(refresh, /SameSite=Strict/);
    assert.match(refresh, /Path=\/api\/account\/v1\/session/);
    const body = await r.json();
    assert.equal(body.user.email, 'citoyen@example.org');
    const me = await fetch(`${A}/me`, { headers: { Authorization: `Bearer ${body.access_token}` } });
    assert.equal(me.status, 200);
    assert.ok(me.headers.get('etag'));
    const cookie = refresh.split(';')[0];
    const noHeader = await fetch(`${A}/session/refresh`, { method: 'POST', headers: { Cookie: cookie } });
    assert.equal(noHeader.status, 403);
    const ok = await fetch(`${A}/session/refresh`, { method: 'POST', headers: { Cookie: cookie, 'X-Requested-With': 'civitas' } });
    assert.equal(ok.status, 200);
    // Within the reuse interval, the same spent token is a second tab: the same successor.
    const next = ok.headers.getSetCookie().find((c) => c.startsWith('civitas_refresh=')).split(';')[0];
    const race = await fetch(`${A}/session/refresh`, { method: 'POST', headers: { Cookie: cookie, 'X-Requested-With': 'civitas' } });
    assert.equal(race.status, 200);
    assert.equal(race.headers.getSetCookie().find((c) => c.startsWith('civitas_refresh=')).split(';')[0], next);
    // Once that successor is used, the spent token coming back is a theft: the session ends.
    const rotated = await fetch(`${A}/session/refresh`, { method: 'POST', headers: { Cookie: next, 'X-Requested-With': 'civitas' } });
    assert.equal(rotated.status, 200);
    const again = await fetch(`${A}/session/refresh`, { method: 'POST', headers: { Cookie: cookie, 'X-Requested-With': 'civitas' } });
    assert.equal(again.status, 401, 'a spent refresh token is refused');
  });

  it('serves its JWKS and hides the internal routes', async () => {
    const j = await fetch(`${A}/.well-known/jwks.json`);
    assert.equal(j.status, 200);
    const key = (await j.json()).keys[0];
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    for (const p of ['/internal/v1/users?email=citoyen@example.org', '/api/account/internal/v1/demo']) {
      assert.equal((await fetch(BASE_URL + p)).status, 404, p);
    }
  });

  it('admin routes are not there for a citizen', async () => {
    const r = await fetch(`${A}/admin/users`);
    assert.equal(r.status, 401);
  });
});
