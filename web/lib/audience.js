// Audience measurement without cookies (CNIL exemption), loaded by the shared footer of every
// public page. It sends one page view after the page has loaded and the page's visible time
// when the visitor leaves or hides it, with navigator.sendBeacon to our own /api/stats/: no
// third party, nothing the page waits for. The visitor id is made by the server from a daily
// salt and is never stored in the browser.
//
// The only thing kept in the browser is an optional first-party random identifier with its
// creation date (localStorage "civitas-audience-rv"), which only tells the server "this browser
// was here on an earlier day" (the identifier itself never leaves the browser). It is kept at
// most 13 months from its creation and never extended; it is not made, and is deleted, when the
// visitor objects (switch « Refuser la mesure d'audience », personal-data page), or when the
// browser sends Global Privacy Control or Do Not Track. After an objection nothing is sent.

const API = '/api/stats/v1';
const OPTOUT_KEY = 'civitas-audience-optout';
const RV_KEY = 'civitas-audience-rv';
const RV_MAX_DAYS = 395; // 13 months
const KEPT_PARAMS = ['slug', 'rubrique']; // the only query parameters that name a page

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused by the browser: measure without the returning figure
  }
}

export function hasObjected() {
  return storage()?.getItem(OPTOUT_KEY) === '1';
}

export function setObjection(objects) {
  const s = storage();
  if (!s) return;
  if (objects) {
    s.setItem(OPTOUT_KEY, '1');
    s.removeItem(RV_KEY);
  } else {
    s.removeItem(OPTOUT_KEY);
  }
}

function browserObjects() {
  return navigator.globalPrivacyControl === true || navigator.doNotTrack === '1' || window.doNotTrack === '1';
}

/** The page as the statistics know it: path plus its slug, never any other parameter. */
export function pagePath(loc = location) {
  const url = new URL(loc.href);
  for (const name of KEPT_PARAMS) {
    const v = url.searchParams.get(name);
    if (v && /^[a-z0-9-]{1,100}$/.test(v)) return `${url.pathname}?${name}=${v}`;
  }
  return url.pathname;
}

// The town's day (Europe/Paris), as the stats service counts visitors: not the UTC day.
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

/** true, false, or null when unknown (objection, GPC/DNT, no storage). */
function returningFlag() {
  const s = storage();
  if (!s || browserObjects()) {
    s?.removeItem(RV_KEY);
    return null;
  }
  let rv = null;
  try {
    rv = JSON.parse(s.getItem(RV_KEY) || 'null');
  } catch {
    rv = null;
  }
  const age = rv ? (Date.now() - Date.parse(rv.created)) / 86400e3 : Infinity;
  if (!rv || !(age >= 0 && age <= RV_MAX_DAYS)) {
    // First visit, or the identifier reached 13 months: a new one, never an extended one.
    s.setItem(RV_KEY, JSON.stringify({ id: crypto.randomUUID(), created: new Date().toISOString() }));
    return false;
  }
  return rv.created.slice(0, 10) < today();
}

function screenClass() {
  const w = window.innerWidth;
  return w < 600 ? 'small' : w < 1024 ? 'medium' : 'large';
}

function referrerHost() {
  try {
    const host = document.referrer ? new URL(document.referrer).hostname.toLowerCase() : '';
    return host && host !== location.hostname ? host : null;
  } catch {
    return null;
  }
}

function send(path, body) {
  const data = JSON.stringify(body);
  const blob = new Blob([data], { type: 'application/json' });
  if (navigator.sendBeacon && navigator.sendBeacon(API + path, blob)) return;
  fetch(API + path, { method: 'POST', body: data, headers: { 'Content-Type': 'application/json' }, keepalive: true })
    .catch(() => {});
}

function start() {
  if (hasObjected()) return;
  const pv = crypto.randomUUID();
  const campaign = new URL(location.href).searchParams.get('utm_campaign');
  send('/hits', {
    pv,
    path: pagePath(),
    referrer_host: referrerHost(),
    screen: screenClass(),
    utm_campaign: campaign && /^[A-Za-z0-9 _.+-]{1,100}$/.test(campaign) ? campaign : null,
    returning: returningFlag(),
  });
  // Visible time: counted while the page is shown, sent (cumulated) each time it is hidden.
  let visible = 0;
  let since = document.visibilityState === 'visible' ? performance.now() : null;
  const report = () => {
    if (since !== null) {
      visible += performance.now() - since;
      since = null;
    }
    if (!hasObjected()) send('/engagement', { pv, visible_ms: Math.min(Math.round(visible), 86400000) });
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') report();
    else since = performance.now();
  });
  window.addEventListener('pagehide', report);
}

function mountExtras() {
  const path = pagePath();
  if (/^\/(page|demarche)\.html\?slug=/.test(path)) {
    import('./feedback.js').then((m) => m.mountFeedback(path)).catch(() => {});
  }
  if (document.getElementById('mesure-audience')) {
    import('./audience-choice.js').then((m) => m.mountChoice(document.getElementById('mesure-audience'))).catch(() => {});
  }
}

// After load, when the browser is idle: the measurement never delays the page.
const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 1));
if (document.readyState === 'complete') later(start);
else window.addEventListener('load', () => later(start), { once: true });
mountExtras();
