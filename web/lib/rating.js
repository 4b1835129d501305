// The citizen's rating of a request that reached its final status (accepted or rejected):
// 1 to 5 and an optional comment, sent once to civitas-stats, which keeps it next to the
// request's processing time. Shown on mes-demandes.html (teleservices-requests.js).

import { api } from './api.js';
import { h, replaceChildren } from './dom.js';

const LABELS = ['1 — pas du tout satisfait', '2', '3', '4', '5 — très satisfait'];

export function ratingForm(requestId) {
  const comment = h('textarea', { id: 'note-commentaire', rows: '2', maxlength: '1000', 'aria-describedby': 'note-aide' });
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'ts-rating' },
    h('fieldset', {},
      h('legend', {}, 'Comment jugez-vous le traitement de votre demande ?'),
      LABELS.map((label, i) => h('span', { class: 'ts-rating-choice' },
        h('input', { type: 'radio', name: 'note', id: `note-${i + 1}`, value: String(i + 1) }),
        h('label', { for: `note-${i + 1}` }, label)))),
    h('div', { class: 'field' },
      h('label', { for: 'note-commentaire' }, 'Commentaire (facultatif)'),
      h('p', { class: 'hint', id: 'note-aide' }, 'N’y indiquez pas de données personnelles.'),
      comment),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Envoyer mon avis'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const note = form.querySelector('input[name="note"]:checked')?.value;
    if (!note) {
      status.textContent = 'Choisissez une note de 1 à 5.';
      return;
    }
    try {
      await api.post('/api/stats/v1/ratings', { request_id: requestId, rating: Number(note), comment: comment.value.trim() || null });
      replaceChildren(form, h('p', { role: 'status' }, 'Merci pour votre avis.'));
    } catch (err) {
      status.textContent = err.status === 409 ? 'Vous avez déjà donné votre avis sur cette demande. Merci !' : `Votre avis n’a pas pu être envoyé : ${err.message}`;
    }
  });
  return h('section', { class: 'ts-rating-box', 'aria-labelledby': 'note-titre' }, h('h2', { id: 'note-titre' }, 'Votre avis sur cette démarche'), form);
}
