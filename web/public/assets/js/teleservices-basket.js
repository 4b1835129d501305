// The basket of drafts a citizen sends together (one bundle: all or nothing, one acknowledgement).
// Kept in sessionStorage: it lives as long as the tab, and holds only ids, titles and summaries.

const KEY = 'civitas-envoi';

/** [{ id, slug, title, proc, draft }] — the drafts waiting to be sent with the next one. */
export function basket() {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list.filter((b) => b && typeof b.id === 'string') : [];
  } catch {
    return [];
  }
}

function save(list) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(list.slice(0, 10)));
  } catch {
    /* storage full or disabled: the citizen sends the procedures one by one */
  }
}

/** Adds (or refreshes) one draft in the basket. */
export function basketAdd(item) {
  save([...basket().filter((b) => b.id !== item.id), item]);
}

export function basketRemove(id) {
  save(basket().filter((b) => b.id !== id));
}

export function basketClear() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}
