// Loads the town configuration (/site.json, written by `./civitas up`) and fills the page with it.
// The HTML carries a static fallback, so a missing or slow site.json never leaves a blank header.

const FALLBACK = Object.freeze({
  town_name: 'Ville de Beaulieu-sur-Loire',
  logo_url: '/assets/logo.svg',
  contact_email: '',
  phone: '',
  address: '',
});

let cached = null;

/** Resolves with the town configuration merged over the fallback; never rejects. */
export function loadSite() {
  if (!cached) {
    cached = fetch('/site.json', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}))
      .then((data) => ({ ...FALLBACK, ...(data && typeof data === 'object' ? data : {}) }));
  }
  return cached;
}

// Only same-site paths or https URLs may become a logo source (site.json is config, but be strict).
function safeUrl(url) {
  return typeof url === 'string' && (/^\/(?!\/)/.test(url) || /^https:\/\//.test(url)) ? url : FALLBACK.logo_url;
}

/**
 * Fill every element marked with data-site="town_name|contact_email|phone|address", the logos
 * (img[data-site-logo]), mailto/tel links (a[data-site-href="contact_email|phone"]) and the
 * town name inside document.title. Elements whose value is empty and that carry
 * data-site-optional are hidden.
 */
export async function applySite(root = document) {
  const site = await loadSite();
  for (const el of root.querySelectorAll('[data-site]')) {
    const value = site[el.dataset.site];
    if (typeof value === 'string' && value) el.textContent = value;
  }
  for (const img of root.querySelectorAll('img[data-site-logo]')) {
    const src = safeUrl(site.logo_url);
    if (img.getAttribute('src') !== src) img.src = src;
  }
  for (const a of root.querySelectorAll('a[data-site-href]')) {
    const key = a.dataset.siteHref;
    const value = site[key];
    if (typeof value !== 'string' || !value) continue;
    a.href = key === 'phone' ? `tel:${value.replace(/[^\d+]/g, '')}` : `mailto:${value}`;
  }
  for (const el of root.querySelectorAll('[data-site-optional]')) {
    const value = site[el.dataset.siteOptional];
    el.hidden = !(typeof value === 'string' && value);
  }
  if (root === document && site.town_name !== FALLBACK.town_name) {
    document.title = document.title.replace(FALLBACK.town_name, site.town_name);
  }
  return site;
}
