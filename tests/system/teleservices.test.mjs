// The online procedures through the gateway with the real demo accounts: the catalogue, a
// school registration for the demo child with documents from the vault, the agent's queue,
// a missing document asked and added, the decision, and what citizens and agents may not see.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

const BASE = (process.env.CIVITAS_TEST_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ACCOUNT_DIRECT = BASE.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 22}`); // no gateway rate limit
const PASSWORD = process.env.CIVITAS_DEMO_PASSWORD || 'civitas-demo-2026';
const TS = `${BASE}/api/teleservices/v1`;

async function login(email) {
  const res = await fetch(`${ACCOUNT_DIRECT}/api/account/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `login ${email}: ${await res.clone().text()}`);
  return (await res.json()).access_token;
}

async function call(token, method, path, body, headers = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path.startsWith('http') ? path : `${TS}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

let citizen, agent, otherAgent;

before(async () => {
  citizen = await login('citoyen@example.org');
  agent = await login('agent.scolaire@mairie.example');
  otherAgent = await login('agent.jeunesse@mairie.example');
});

describe('teleservices through the gateway', () => {
  it('publishes the four procedures of the town', async () => {
    const r = await call(null, 'GET', '/procedures');
    assert.equal(r.status, 200);
    const slugs = r.json.items.map((p) => p.slug);
    for (const s of ['acte-de-naissance', 'inscription-scolaire', 'accueil-de-loisirs', 'inscription-conservatoire']) assert.ok(slugs.includes(s), s);
    const school = (await call(null, 'GET', '/procedures/inscription-scolaire')).json;
    assert.equal(school.service, 'scolaire');
    assert.deepEqual(school.required_documents.map((d) => d.kind).sort(), ['family_record_book', 'health_record', 'proof_of_address']);
  });

  it('keeps internal routes away from the public', async () => {
    const r = await fetch(`${BASE}/api/teleservices/internal/v1/demo`, { method: 'POST' });
    assert.equal(r.status, 404);
    assert.equal((await call(null, 'GET', '/me/requests')).status, 401);
  });

  it('registers the demo child to school with vault documents and follows it to acceptance', async () => {
    const household = (await call(citizen, 'GET', `${BASE}/api/account/v1/me/household`)).json;
    const child = household.members.find((m) => m.relation === 'child' && m.age >= 3 && m.age <= 11 && m.given_name === 'Léa');
    assert.ok(child, `the demo household has Léa (3 to 11): ${JSON.stringify(household)}`);
    const vault = (await call(citizen, 'GET', `${BASE}/api/account/v1/me/documents?limit=100`)).json.items;
    const pick = (kind) => vault.find((d) => d.kind === kind && (!d.member_id || d.member_id === child.id));
    const docs = ['family_record_book', 'proof_of_address', 'health_record'].map((k) => pick(k));
    assert.ok(docs.every(Boolean), 'the vault holds every school document');
    let r = await call(citizen, 'POST', '/requests', {
      procedure: 'inscription-scolaire', member_ids: [child.id],
      answers: { niveau: 'CE1', ecole: 'jules-ferry', cantine: true, periscolaire: ['soir'] },
      document_ids: docs.map((d) => d.id),
    });
    assert.equal(r.status, 201, r.text);
    const id = r.json.id;
    r = await call(citizen, 'POST', `/requests/${id}/submit`, undefined, { 'Idempotency-Key': `sys-${id}` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'received');
    assert.match(r.json.reference, /^\d{4}-SCO-\d{6}$/);
    assert.ok(r.json.documents.every((d) => d.copied));
    const reference = r.json.reference;

    // The school agent finds it; the leisure-centre agent does not see it.
    r = await call(agent, 'GET', `/queue?service=scolaire&q=${reference}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 1);
    assert.equal((await call(otherAgent, 'GET', `/requests/${id}`)).status, 404);
    assert.equal((await call(otherAgent, 'GET', '/queue?service=scolaire')).status, 404);

    r = await call(agent, 'POST', `/requests/${id}/transition`, { to: 'incomplete', comment: 'Merci d’ajouter la carte d’identité du responsable légal.' });
    assert.equal(r.status, 200, r.text);
    const identity = vault.find((d) => d.kind === 'identity');
    r = await call(citizen, 'POST', `/requests/${id}/documents`, { document_id: identity.id });
    assert.equal(r.status, 201, r.text);
    r = await call(citizen, 'POST', `/requests/${id}/submit`, undefined, { 'Idempotency-Key': `sys2-${id}` });
    assert.equal(r.json.status, 'received');
    assert.equal((await call(agent, 'POST', `/requests/${id}/transition`, { to: 'accepted' })).status, 409);
    assert.equal((await call(agent, 'POST', `/requests/${id}/transition`, { to: 'in_progress' })).status, 200);
    r = await call(agent, 'POST', `/requests/${id}/transition`, { to: 'accepted', comment: 'Léa est inscrite à l’école Jules-Ferry.' });
    assert.equal(r.status, 200);
    r = await call(citizen, 'GET', `/requests/${id}`);
    assert.deepEqual(r.json.timeline.map((s) => s.to), ['submitted', 'received', 'incomplete', 'received', 'in_progress', 'accepted']);
    assert.equal(r.json.notes, undefined);
    const sla = await call(agent, 'GET', '/sla?service=scolaire');
    assert.equal(sla.status, 200);
    assert.ok(sla.json.services[0].decided >= 1);
  });
});
