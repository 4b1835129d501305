// The demo citizen's journey through the gateway of a composed stack (tests/compose/run.sh):
//   node journey.mjs BASE_URL submit        signs in, registers the demo child to school with
//                                           documents from the vault; prints {"id","reference"}
//   node journey.mjs BASE_URL check ID REF  signs in, finds request ID (REF, received, every
//                                           document copied) and the vault's documents
// Exit code 0 when every check holds; the reason on stderr otherwise.

import assert from 'node:assert/strict';

const [BASE_ARG, mode, wantId, wantRef] = process.argv.slice(2);
const BASE = (BASE_ARG || '').replace(/\/+$/, '');
const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const TS = `${BASE}/api/teleservices/v1`;
const ACCOUNT = `${BASE}/api/account/v1`;

async function call(token, method, url, body, headers = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function login() {
  const r = await call(null, 'POST', `${ACCOUNT}/login`, { email: 'citoyen@example.org', password: PASSWORD });
  assert.equal(r.status, 200, `the demo citizen signs in through the gateway: ${r.status} ${r.text}`);
  return r.json.access_token;
}

async function vault(token) {
  const r = await call(token, 'GET', `${ACCOUNT}/me/documents?limit=100`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length > 0, 'the demo citizen has documents in the vault');
  return r.json.items;
}

async function submit() {
  const token = await login();
  const household = await call(token, 'GET', `${ACCOUNT}/me/household`);
  assert.equal(household.status, 200, household.text);
  const child = household.json.members.find((m) => m.relation === 'child' && m.age >= 3 && m.age <= 11);
  assert.ok(child, `the demo household has a child of school age: ${household.text}`);
  const docs = await vault(token);
  const pick = (kind) => docs.find((d) => d.kind === kind && (!d.member_id || d.member_id === child.id));
  const chosen = ['family_record_book', 'proof_of_address', 'health_record'].map(pick);
  assert.ok(chosen.every(Boolean), 'the vault holds every school document');
  let r = await call(token, 'POST', `${TS}/requests`, {
    procedure: 'inscription-scolaire', member_ids: [child.id],
    answers: { niveau: 'CE1', ecole: 'jules-ferry', cantine: true, periscolaire: ['soir'] },
    document_ids: chosen.map((d) => d.id),
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await call(token, 'POST', `${TS}/requests/${id}/submit`, undefined, { 'Idempotency-Key': `compose-${id}` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'received');
  assert.ok(r.json.documents.length === 3 && r.json.documents.every((d) => d.copied), r.text);
  process.stdout.write(`${JSON.stringify({ id, reference: r.json.reference })}\n`);
}

async function check() {
  const token = await login();
  const r = await call(token, 'GET', `${TS}/requests/${wantId}`);
  assert.equal(r.status, 200, `request ${wantId} is there: ${r.text}`);
  assert.equal(r.json.reference, wantRef);
  assert.equal(r.json.status, 'received');
  assert.ok(r.json.documents.length === 3 && r.json.documents.every((d) => d.copied), `its three documents: ${r.text}`);
  for (const d of r.json.documents) { // the bytes themselves, not only their listing
    const res = await fetch(`${TS}/requests/${wantId}/documents/${d.id}`, { headers: { Authorization: `Bearer ${token}` } });
    const bytes = (await res.arrayBuffer()).byteLength;
    assert.ok(res.status === 200 && bytes > 0, `document ${d.id} of request ${wantId}: ${res.status}, ${bytes} bytes`);
  }
  const list = await call(token, 'GET', `${TS}/me/requests`);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((x) => x.id === wantId), 'listed in « Mes demandes »');
  await vault(token);
  process.stdout.write(`request ${wantRef} and its documents are there\n`);
}

try {
  if (mode === 'submit') await submit();
  else if (mode === 'check') await check();
  else throw new Error(`usage: journey.mjs BASE_URL submit | check ID REFERENCE (got ${mode})`);
} catch (e) {
  process.stderr.write(`journey ${mode}: ${e.stack || e}\n`);
  process.exit(1);
}
