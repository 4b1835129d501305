// History-based navigation of the agent SPA under /admin/: the path of the view, navigate(), and
// the interception of in-app links. app.js registers what draws a path; views that move on
// import navigate from here (never app.js, which imports them).

export const BASE = '/admin';

let draw = () => {};

/** Path inside the SPA: "/admin/contenus/" → "/contenus", "/admin" → "/". */
export function routePath(pathname = location.pathname) {
  let p = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p || '/';
}

/** Go to path ("/contenus", "/admin/contenus?id=…"), adding a history entry unless replace. */
export function navigate(path, { replace = false } = {}) {
  const url = path.startsWith(BASE) ? path : BASE + (path === '/' ? '/' : path);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  draw();
}

/**
 * Starts the router: render() draws the current path, now and on every navigation. Links marked
 * data-link stay in the page (a reload would lose the in-memory token) and keep their query
 * string, which views read their object from (?id=…).
 */
export function startRouter(render) {
  draw = render;
  document.addEventListener('click', (event) => {
    const a = event.target.closest('a[data-link]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => draw());
}
