// « Cette information vous a-t-elle été utile ? » — the satisfaction widget at the bottom of
// article and procedure pages (mounted by audience.js). Three yes/no questions, each with an
// optional comment; one answer per question, page and visitor per day (the server says 409).

import { h, replaceChildren } from './dom.js';

const QUESTIONS = [
  ['useful', 'Cette information vous a-t-elle été utile ?'],
  ['relevant', 'Cet article vous a-t-il paru pertinent ?'],
  ['easy_to_find', 'L’information recherchée a-t-elle été facile d’accès ?'],
];

function question(path, [key, label]) {
  const id = `avis-${key}`;
  const comment = h('textarea', { id: `${id}-commentaire`, name: 'comment', rows: '2', maxlength: '1000' });
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'feedback-status' });
  const form = h('form', { class: 'feedback-question', 'aria-labelledby': `${id}-titre` },
    h('fieldset', {},
      h('legend', { id: `${id}-titre` }, label),
      h('div', { class: 'feedback-choices' },
        h('input', { type: 'radio', name: 'answer', id: `${id}-oui`, value: 'oui', required: true }),
        h('label', { for: `${id}-oui` }, 'Oui'),
        h('input', { type: 'radio', name: 'answer', id: `${id}-non`, value: 'non' }),
        h('label', { for: `${id}-non` }, 'Non'))),
    h('div', { class: 'field' },
      h('label', { for: comment.id }, 'Commentaire (facultatif)'),
      h('p', { class: 'hint', id: `${id}-aide` }, 'N’indiquez ni nom, ni adresse, ni téléphone : les commentaires sont lus par l’équipe qui rédige la page.'),
      comment),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Envoyer mon avis'),
    status);
  comment.setAttribute('aria-describedby', `${id}-aide`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const answer = form.querySelector('input[name="answer"]:checked')?.value;
    if (!answer) {
      status.textContent = 'Choisissez « Oui » ou « Non ».';
      return;
    }
    const body = { path, question: key, answer: answer === 'oui', comment: comment.value.trim() || null };
    try {
      const res = await fetch('/api/stats/v1/feedback', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      if (res.status === 201 || res.status === 409) {
        replaceChildren(form, h('p', { role: 'status', class: 'feedback-thanks' },
          res.status === 201 ? 'Merci pour votre réponse.' : 'Vous avez déjà répondu à cette question aujourd’hui. Merci !'));
      } else {
        status.textContent = 'Votre avis n’a pas pu être envoyé. Réessayez plus tard.';
      }
    } catch {
      status.textContent = 'Votre avis n’a pas pu être envoyé. Vérifiez votre connexion.';
    }
  });
  return form;
}

export function mountFeedback(path) {
  const main = document.getElementById('contenu');
  if (!main || document.getElementById('avis-page')) return;
  if (!document.querySelector('link[href="/lib/feedback.css"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/lib/feedback.css' }));
  }
  const box = h('section', { id: 'avis-page', class: 'container feedback', 'aria-labelledby': 'avis-page-titre' },
    h('h2', { id: 'avis-page-titre' }, 'Votre avis sur cette page'),
    QUESTIONS.map((q) => question(path, q)));
  main.append(box);
}
