// The family side of civitas-account through the nginx gateway: a citizen registers (the
// verification link comes from the mail catcher), builds a household, uploads, downloads and
// deletes documents (limits and types enforced behind nginx too), exports and erases the account.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const BASE = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MAIL = process.env.CIVITAS_TEST_MAIL || '';
// The login route is rate-limited at the gateway; the account daemon's own port is not.
const ACCOUNT_DIRECT = BASE.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 22}`);
const API = '/api/account/v1';
const PASSWORD = 'un mot de passe assez long 2026';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function call(method, url, { token, json, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  return fetch(url.startsWith('http') ? url : BASE + url, { method, headers: h, body });
}

/** Waits for the verification mail sent to email and returns the token of its link. */
async function verificationToken(email) {
  for (let i = 0; i < 100; i++) {
    for (const f of readdirSync(MAIL).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))) {
      let text = '';
      try {
        text = readFileSync(path.join(MAIL, f), 'utf8');
      } catch {
        continue; // the catcher renames files into place: one may vanish under us
      }
      if (text.includes(email) && text.includes('verification.html?token=')) {
        return text.match(/verification\.html\?token=([A-Za-z0-9_-]+)/)[1];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no verification mail for ${email}`);
}

/** A new verified citizen; returns { email, token }. */
async function citizen(given = 'Camille') {
  const email = `famille.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.org`;
  let r = await call('POST', `${API}/register`, { json: { email, password: PASSWORD, given_name: given, family_name: 'Martin' } });
  assert.equal(r.status, 202);
  r = await call('POST', `${API}/verify-email`, { json: { token: await verificationToken(email) } });
  assert.ok(r.ok, `verify-email answered ${r.status}`);
  r = await call('POST', `${ACCOUNT_DIRECT}${API}/login`, { json: { email, password: PASSWORD } });
  assert.equal(r.status, 200);
  return { email, token: (await r.json()).access_token };
}

function upload(token, type, kind, data, extra = {}) {
  return call('POST', `${API}/me/documents`, {
    token, body: data, headers: { 'Content-Type': type, 'X-Document-Kind': kind, ...extra },
  });
}

test('a household with members and documents, through the gateway', { skip: !MAIL && 'needs CIVITAS_TEST_MAIL' }, async () => {
  const a = await citizen();
  let r = await call('GET', `${API}/me/household`, { token: a.token });
  assert.equal(r.status, 200);
  const household = await r.json();
  assert.equal(household.members.length, 1);
  assert.match(r.headers.get('etag'), /^"h\d+"$/);

  r = await call('PATCH', `${API}/me/household`, {
    token: a.token, headers: { 'If-Match': household.etag },
    json: { address: { line1: '12 rue des Tilleuls', postcode: '45630', city: 'Beaulieu-sur-Loire' } },
  });
  assert.equal(r.status, 200);
  r = await call('POST', `${API}/me/household/members`, {
    token: a.token, json: { relation: 'child', given_name: 'Léa', family_name: 'Martin', birth_date: '2018-04-02', school_class: 'ce1' },
  });
  assert.equal(r.status, 201);
  assert.match(r.headers.get('location'), /\/me\/household\/members\/[0-9a-f-]{36}$/);
  const child = await r.json();

  // The vault: a PDF for the child, downloaded back with its type, as an attachment, never sniffed.
  r = await upload(a.token, 'application/pdf', 'health_record', PDF, { 'X-Member-Id': child.id, 'X-Filename': encodeURIComponent('carnet de santé.pdf') });
  assert.equal(r.status, 201);
  const doc = await r.json();
  assert.equal(doc.member_id, child.id);
  assert.equal(doc.filename, 'carnet de santé.pdf');
  r = await call('GET', `${API}/me/documents/${doc.id}/content`, { token: a.token });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="carnet de sant_\.pdf"; filename\*=UTF-8''carnet%20de%20sant%C3%A9\.pdf$/);
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), PDF);

  // Refusals survive the gateway: wrong magic bytes, a type not kept, a file over 10 MiB.
  r = await upload(a.token, 'application/pdf', 'identity', PNG);
  assert.equal(r.status, 415);
  assert.equal((await r.json()).code, 'unsupported_media_type');
  r = await upload(a.token, 'text/html', 'identity', Buffer.from('<script>alert(1)</script>'));
  assert.equal(r.status, 415);
  const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
  PDF.copy(big);
  r = await upload(a.token, 'application/pdf', 'other', big);
  assert.equal(r.status, 413);
  const problem = await r.json();
  assert.equal(problem.code, 'payload_too_large');
  assert.match(problem.detail, /10485760/);
  assert.equal(problem.limit, 10485760);

  // Another citizen sees none of it.
  const b = await citizen('Bruno');
  r = await call('GET', `${API}/me/documents/${doc.id}/content`, { token: b.token });
  assert.equal(r.status, 404);
  r = await call('GET', `${API}/me/household/members/${child.id}`, { token: b.token });
  assert.equal(r.status, 404);
  r = await call('DELETE', `${API}/me/documents/${doc.id}`, { token: b.token });
  assert.equal(r.status, 404);

  // Internal routes are never routed by nginx.
  r = await call('GET', `/internal/v1/households/${household.id}`);
  assert.equal(r.status, 404);
  r = await call('GET', `/api/account/internal/v1/documents/${doc.id}`);
  assert.equal(r.status, 404);

  // Export holds everything; erasure needs the password and ends access.
  r = await call('GET', `${API}/me/export`, { token: a.token });
  assert.equal(r.status, 200);
  const exported = await r.json();
  assert.equal(exported.user.email, a.email);
  assert.equal(exported.family.household.members.length, 2);
  assert.equal(exported.family.documents[0].id, doc.id);
  assert.ok(!JSON.stringify(exported).includes('$argon2id$'));
  r = await call('DELETE', `${API}/me`, { token: a.token, json: { password: 'pas le bon mot de passe' } });
  assert.equal(r.status, 403);
  r = await call('DELETE', `${API}/me`, { token: a.token, json: { password: PASSWORD } });
  assert.equal(r.status, 204);
  r = await call('GET', `${API}/me/household`, { token: a.token });
  assert.equal(r.status, 404);
  r = await call('POST', `${ACCOUNT_DIRECT}${API}/login`, { json: { email: a.email, password: PASSWORD } });
  assert.equal(r.status, 401);
});
