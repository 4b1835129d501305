// How an answer to a procedure's field reads for a person: the option's label rather than its
// stored value (« École Jules-Ferry », not jules-ferry), dates as « 15 mars 2021 », Oui / Non.
// Shared by the citizen's summary and the agent's view of a request, so both read alike.

/** « 15 mars 2021 » for a YYYY-MM-DD date (no time zone shift: it is a calendar day). */
export function formatDay(value) {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return value == null ? '' : String(value);
  const [y, m, d] = value.split('-').map(Number);
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

function optionLabel(def, value) {
  for (const o of def?.options || []) {
    if (typeof o === 'string' ? o === value : o.value === value) return typeof o === 'string' ? o : o.label;
  }
  return String(value);
}

/**
 * The text of one answer. def: the procedure's field definition (may be missing for an answer
 * to a field that was removed since); memberName(id) names a household member.
 */
export function answerText(def, value, memberName = (id) => id) {
  if (value === true) return 'Oui';
  if (value === false) return 'Non';
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map((v) => optionLabel(def, v)).join(', ') : 'Aucun';
  switch (def?.type) {
    case 'select': case 'multiselect': return optionLabel(def, value);
    case 'date': return formatDay(value);
    case 'member': return memberName(value);
    case 'number': return Number(value).toLocaleString('fr-FR');
    default: return String(value);
  }
}
