// The switch « Refuser la mesure d'audience » of the personal-data page. The choice is kept in
// this browser only (localStorage); refusing also deletes the returning-visitor identifier.

import { h, replaceChildren } from './dom.js';
import { hasObjected, setObjection } from './audience.js';

export function mountChoice(box) {
  const input = h('input', { type: 'checkbox', id: 'refus-mesure', role: 'switch', class: 'audience-switch' });
  input.checked = hasObjected();
  const state = h('p', { id: 'refus-mesure-etat', role: 'status', 'aria-live': 'polite' });
  const say = () => {
    state.textContent = input.checked
      ? 'La mesure d’audience est refusée pour ce navigateur : aucune visite n’est plus envoyée.'
      : 'La mesure d’audience est acceptée pour ce navigateur.';
  };
  input.addEventListener('change', () => {
    setObjection(input.checked);
    say();
  });
  say();
  replaceChildren(box,
    h('div', { class: 'field field-inline' }, input, h('label', { for: 'refus-mesure' }, 'Refuser la mesure d’audience')),
    state);
}
