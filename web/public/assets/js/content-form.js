// Form helpers of the content pages beyond the shared form layer (/lib/forms.js): the values
// to send (empty fields left out) and the end of a chosen day.

/** The form's fields as an object of trimmed strings (empty ones left out). */
export function values(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    const s = String(v).trim();
    if (s !== '') out[k] = s;
  }
  return out;
}

/** yyyy-mm-dd (a date input) → the end of that day in Paris, as RFC 3339 UTC. */
export function endOfDayUtc(date) {
  const [y, m, d] = date.split('-').map(Number);
  // 23:59 in Paris is 21:59 or 22:59 UTC; 21:59 UTC stays within the day in both seasons.
  return new Date(Date.UTC(y, m - 1, d, 21, 59, 0)).toISOString().replace(/\.\d+Z$/, 'Z');
}
