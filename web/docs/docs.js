// Renders the OpenAPI 3.1 specs listed in /docs/openapi/index.json as accessible HTML, one
// service at a time (/docs/?service=content): operations (parameters, request bodies,
// responses) and component schemas. Folded parts are built when opened, which keeps the page
// light enough for a phone (and for axe) even for the largest service.

import { h, replaceChildren } from '/lib/dom.js';

const BASE = '/docs/openapi/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const MAX_DEPTH = 4; // nested object tables deeper than this become links only

const status = document.getElementById('docs-status');
const specsEl = document.getElementById('docs-specs');
const toc = document.getElementById('docs-toc');

async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

// Ids must be unique across the five specs on one page: prefix with the service name.
const slug = (...parts) => parts.join('-').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
const opId = (svc, method, path) => slug('op', svc, method, path);
const schemaId = (svc, name) => slug('schema', svc, name);

/** A <details> whose content is built on first opening (render returns nodes). */
function lazyDetails(summary, render, cls = 'docs-nested') {
  const d = h('details', { class: cls }, h('summary', {}, summary));
  d.addEventListener('toggle', () => {
    if (d.open && !d.dataset.built) {
      d.dataset.built = '1';
      const nodes = [render()].flat(Infinity).filter(Boolean);
      d.append(...nodes);
    }
  });
  return d;
}

/** Follow a local JSON pointer ("#/components/schemas/X") inside spec; null when unknown. */
function resolvePointer(spec, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return null;
  let node = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return null;
    node = node[key];
  }
  return node;
}

/** Resolve a $ref for parameters, request bodies and responses (inlined, up to 5 hops). */
function deref(spec, node) {
  let n = node;
  for (let i = 0; i < 5 && n && typeof n === 'object' && typeof n.$ref === 'string'; i++) {
    n = resolvePointer(spec, n.$ref) || n;
    if (n === node) break;
  }
  return n || {};
}

// Wide tables scroll sideways on a phone: the wrapper must be reachable with the keyboard.
function tableWrap(label, table) {
  return h('div', { class: 'docs-table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

// Specs carry CommonMark descriptions. Only a safe subset is rendered, as DOM nodes (never
// innerHTML): `code`, **bold**, [text](url) with http(s) or relative URLs, and "- " lists.
function inline(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', {}, m[2]));
    else if (/^(https?:\/\/|\/|#)/.test(m[4])) out.push(h('a', { href: m[4] }, m[3]));
    else out.push(m[3]);
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function paragraphs(text, cls) {
  if (typeof text !== 'string' || !text.trim()) return null;
  return text.trim().split(/\n\s*\n/).map((block) => {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.every((l) => /^[-*] /.test(l))) return h('ul', { class: cls || null }, lines.map((l) => h('li', {}, inline(l.slice(2)))));
    return h('p', { class: cls || null }, inline(lines.join(' ')));
  });
}

function typeLabel(ctx, schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop();
    if (schema.$ref.startsWith('#/components/schemas/')) return h('a', { href: `#${schemaId(ctx.svc, name)}` }, name);
    return name;
  }
  for (const k of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[k])) {
      const sep = k === 'allOf' ? ' & ' : ' | ';
      return schema[k].flatMap((s, i) => (i ? [sep, typeLabel(ctx, s)] : [typeLabel(ctx, s)]));
    }
  }
  let type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (!type) type = schema.properties ? 'object' : schema.enum ? 'enum' : 'any';
  if (type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) {
    return ['array<', typeLabel(ctx, schema.items), '>'];
  }
  return schema.format ? `${type} (${schema.format})` : type;
}

function constraints(schema) {
  if (!schema || typeof schema !== 'object') return null;
  const parts = [];
  if (Array.isArray(schema.enum)) parts.push(`valeurs : ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.const !== undefined) parts.push(`valeur : ${JSON.stringify(schema.const)}`);
  for (const [k, label] of [['minimum', 'min'], ['maximum', 'max'], ['minLength', 'longueur min'], ['maxLength', 'longueur max'], ['minItems', 'éléments min'], ['maxItems', 'éléments max'], ['pattern', 'motif'], ['default', 'défaut']]) {
    if (schema[k] !== undefined) parts.push(`${label} : ${typeof schema[k] === 'string' ? schema[k] : JSON.stringify(schema[k])}`);
  }
  return parts.length ? h('span', { class: 'docs-constraints' }, parts.join(' · ')) : null;
}

/** An object schema as a table of its properties; nested objects recurse until MAX_DEPTH. */
function schemaView(ctx, schema, depth = 0) {
  if (!schema || typeof schema !== 'object') return h('p', {}, 'Schéma libre.');
  if (schema.$ref) return h('p', {}, 'Schéma : ', typeLabel(ctx, schema), '.');
  const blocks = [];
  if (schema.description && depth === 0) blocks.push(paragraphs(schema.description));
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    if (Array.isArray(schema[k])) {
      const label = { allOf: 'Tous ces schémas :', oneOf: 'Un seul de ces schémas :', anyOf: 'Au moins un de ces schémas :' }[k];
      blocks.push(h('p', {}, label), h('ul', {}, schema[k].map((s) => h('li', {}, s.$ref || depth >= MAX_DEPTH ? typeLabel(ctx, s) : schemaView(ctx, s, depth + 1)))));
    }
  }
  const isArray = schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'));
  if (isArray) {
    blocks.push(h('p', {}, 'Tableau de : ', typeLabel(ctx, schema.items), '.'));
    if (schema.items && !schema.items.$ref && schema.items.properties && depth < MAX_DEPTH) blocks.push(schemaView(ctx, schema.items, depth + 1));
  }
  const props = schema.properties && typeof schema.properties === 'object' ? Object.entries(schema.properties) : [];
  if (props.length) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    blocks.push(tableWrap(`Champs${ctx.label ? ` : ${ctx.label}` : ''}`, h('table', { class: 'docs-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Champ'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Obligatoire'), h('th', { scope: 'col' }, 'Description'))),
      h('tbody', {}, props.map(([name, prop]) => h('tr', {},
        h('th', { scope: 'row' }, h('code', {}, name)),
        h('td', {}, typeLabel(ctx, prop)),
        h('td', {}, required.has(name) ? 'oui' : 'non'),
        h('td', {},
          prop && prop.description ? h('span', {}, inline(prop.description)) : null,
          constraints(prop),
          prop && !prop.$ref && prop.properties && depth < MAX_DEPTH ? lazyDetails(`Champs de ${name}`, () => schemaView(ctx, prop, depth + 1)) : null)))))));
  } else if (!isArray && !blocks.some(Boolean)) {
    blocks.push(h('p', {}, 'Type : ', typeLabel(ctx, schema), '.', ' ', constraints(schema)));
  }
  if (schema.additionalProperties === false && props.length) blocks.push(h('p', { class: 'docs-note' }, 'Aucun autre champ n’est accepté.'));
  return h('div', { class: 'docs-schema' }, blocks);
}

// Examples may be wider than a phone: the block scrolls and so must be keyboard-focusable.
function exampleView(type, example) {
  const text = typeof example === 'string' ? example : JSON.stringify(example, null, 2);
  return h('pre', { class: 'docs-example', tabindex: '0', role: 'region', 'aria-label': `Exemple ${type}` }, h('code', {}, text));
}

function mediaView(ctx, content) {
  const entries = content && typeof content === 'object' ? Object.entries(content) : [];
  return entries.map(([type, media]) => h('div', { class: 'docs-media' },
    h('p', {}, 'Type de contenu : ', h('code', {}, type)),
    media && media.schema ? schemaView(ctx, media.schema) : null,
    media && media.example !== undefined ? exampleView(type, media.example) : null));
}

function parametersView(ctx, params, level) {
  if (!params.length) return null;
  const IN = { path: 'chemin', query: 'requête', header: 'en-tête', cookie: 'cookie' };
  return [h(`h${level}`, {}, 'Paramètres'),
    tableWrap(`Paramètres : ${ctx.label || ''}`, h('table', { class: 'docs-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Nom'), h('th', { scope: 'col' }, 'Emplacement'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Obligatoire'), h('th', { scope: 'col' }, 'Description'))),
      h('tbody', {}, params.map((p) => h('tr', {},
        h('th', { scope: 'row' }, h('code', {}, p.name || '?')),
        h('td', {}, IN[p.in] || p.in || ''),
        h('td', {}, typeLabel(ctx, p.schema)),
        h('td', {}, p.required ? 'oui' : 'non'),
        h('td', {}, inline(p.description || ''), ' ', constraints(p.schema)))))))];
}

function responsesView(ctx, responses, level) {
  const entries = responses && typeof responses === 'object' ? Object.entries(responses) : [];
  if (!entries.length) return null;
  return [h(`h${level}`, {}, 'Réponses'),
    h('dl', { class: 'docs-responses' }, entries.flatMap(([code, raw]) => {
      const r = deref(ctx.spec, raw);
      const cls = /^2/.test(code) ? 'ok' : /^3/.test(code) ? 'redirect' : 'error';
      return [
        h('dt', {}, h('span', { class: `docs-status-code docs-status-${cls}` }, code), ' ', inline(r.description || '')),
        h('dd', {},
          r.headers ? h('p', {}, 'En-têtes : ', Object.keys(r.headers).map((k, i) => [i ? ', ' : '', h('code', {}, k)])) : null,
          // Error bodies repeat the same problem schema on every operation: fold them.
          cls === 'ok' || !r.content ? mediaView(ctx, r.content)
            : lazyDetails(`Corps de la réponse ${code}`, () => mediaView(ctx, r.content))),
      ];
    }))];
}

function operationView(svcCtx, path, method, op, pathParams) {
  const ctx = { ...svcCtx, label: `${method.toUpperCase()} ${path}` };
  const id = opId(ctx.svc, method, path);
  const params = [...pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])].map((p) => deref(ctx.spec, p));
  const body = op.requestBody ? deref(ctx.spec, op.requestBody) : null;
  const security = op.security || ctx.spec.security;
  const needsAuth = Array.isArray(security) && security.some((s) => s && Object.keys(s).length > 0);
  return h('section', { class: 'docs-op', id, 'aria-labelledby': `${id}-title` },
    h('h4', { id: `${id}-title` },
      h('span', { class: `docs-method docs-method-${method}` }, method.toUpperCase()), ' ',
      h('code', { class: 'docs-path' }, path)),
    op.summary ? h('p', { class: 'docs-summary' }, op.summary) : null,
    op.deprecated ? h('p', { class: 'docs-note' }, 'Opération obsolète.') : null,
    paragraphs(op.description),
    h('p', { class: 'docs-note' }, needsAuth ? 'Authentification requise (jeton Bearer).' : 'Accès public, sans authentification.'),
    parametersView(ctx, params, 5),
    body ? [h('h5', {}, body.required ? 'Corps de la requête (obligatoire)' : 'Corps de la requête'), paragraphs(body.description), mediaView(ctx, body.content)] : null,
    responsesView(ctx, op.responses, 5));
}

function serviceView(svc, spec) {
  const ctx = { svc, spec };
  const info = spec.info || {};
  const sectionId = slug('svc', svc);
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    if (!item || typeof item !== 'object') continue;
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) if (item[method]) ops.push({ path, method, op: item[method], pathParams });
  }
  const schemas = Object.entries(spec.components?.schemas || {});
  const servers = Array.isArray(spec.servers) ? spec.servers : [];

  const section = h('section', { class: 'docs-service', id: sectionId, 'aria-labelledby': `${sectionId}-title` },
    h('h2', { id: `${sectionId}-title` }, info.title || svc, info.version ? h('span', { class: 'docs-version' }, `v${info.version}`) : null),
    paragraphs(info.description),
    h('p', { class: 'docs-meta' }, `OpenAPI ${spec.openapi || '?'}`, servers.length ? [' · Serveur : ', servers.map((s, i) => [i ? ', ' : '', h('code', {}, s.url)])] : null,
      ' · ', h('a', { href: `${BASE}${encodeURIComponent(svc)}.json` }, 'Spécification JSON', h('span', { class: 'visually-hidden' }, ` du service ${svc}`))),
    h('h3', {}, 'Opérations'),
    ops.length ? ops.map((o) => operationView(ctx, o.path, o.method, o.op, o.pathParams)) : h('p', { class: 'empty-state' }, 'Aucune opération.'),
    schemas.length ? [h('h3', {}, 'Schémas'), schemas.map(([name, schema]) => h('section', { class: 'docs-op', id: schemaId(svc, name), 'aria-labelledby': `${schemaId(svc, name)}-title` },
      h('h4', { id: `${schemaId(svc, name)}-title` }, h('code', {}, name)),
      lazyDetails(`Champs de ${name}`, () => schemaView({ ...ctx, label: name }, schema))))] : null);

  const tocEntry = h('li', {},
    h('a', { href: `#${sectionId}` }, info.title || svc),
    ops.length ? h('ul', {}, ops.map((o) => h('li', {}, h('a', { href: `#${opId(svc, o.method, o.path)}` },
      h('span', { class: `docs-method docs-method-${o.method}` }, o.method.toUpperCase()), ' ', o.path)))) : null);
  return { section, tocEntry };
}

async function main() {
  let names;
  try {
    names = await getJson(`${BASE}index.json`);
    if (!Array.isArray(names)) throw new Error('index.json is not an array');
  } catch {
    status.textContent = 'La liste des spécifications est indisponible. Réessayez plus tard.';
    replaceChildren(toc, h('h2', { class: 'docs-toc-title' }, 'Sommaire'), h('p', { class: 'docs-toc-empty' }, 'Aucune spécification.'));
    return;
  }
  names = names.filter((n) => typeof n === 'string' && /^[a-z0-9_-]+$/i.test(n));
  const asked = new URLSearchParams(location.search).get('service');
  const svc = names.includes(asked) ? asked : names[0];
  const services = h('ul', { class: 'docs-services' }, names.map((n) => h('li', {},
    h('a', { href: `?service=${encodeURIComponent(n)}`, 'aria-current': n === svc ? 'page' : null }, n))));
  let spec = null;
  try {
    spec = svc ? await getJson(`${BASE}${svc}.json`) : null;
  } catch {
    spec = null;
  }
  if (!spec) {
    replaceChildren(toc, h('h2', { class: 'docs-toc-title' }, 'Services'), services);
    status.textContent = `La spécification du service ${svc || ''} est indisponible.`;
    return;
  }
  const { section, tocEntry } = serviceView(svc, spec);
  replaceChildren(specsEl, section);
  replaceChildren(toc, h('h2', { class: 'docs-toc-title' }, 'Services'), services,
    h('h2', { class: 'docs-toc-title' }, 'Sommaire'), h('ul', {}, tocEntry));
  const nops = section.querySelectorAll('.docs-op code.docs-path').length;
  status.textContent = `Service ${svc} documenté : ${nops} opération(s).`;
  document.title = `API ${svc} — Référence — Civitas`;
  // The page was empty when the browser tried the fragment: scroll to it now.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

main();
