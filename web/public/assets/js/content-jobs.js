// Espace emploi: live offers, one offer in detail (?offre=id), the public « déposer une offre »
// form (with a honeypot field robots fill in), and the employer's page reached from the link
// of the e-mail (?offre=id#cle=secret: the secret stays after '#', out of every server log).

import { api, exchange } from '/lib/api.js';
import { CONTENT_API, CONTRACTS, param, setRenderedHtml } from '/lib/content.js';
import { formatDate, h, replaceChildren } from '/lib/dom.js';
import { clearErrors, field, showApiError } from '/lib/forms.js';
import { endOfDayUtc, values } from './content-form.js';

const list = document.getElementById('liste');
const detail = document.getElementById('offre');
const manage = document.getElementById('gestion');
const formZone = document.getElementById('form-zone');
const contractOptions = Object.entries(CONTRACTS);
const STATUS = { pending: 'en attente de validation par la mairie', published: 'publiée', rejected: 'refusée', withdrawn: 'retirée' };

function offerCard(j) {
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: `?offre=${encodeURIComponent(j.id)}` }, j.title)),
    h('p', { class: 'meta' }, `${j.employer} — ${CONTRACTS[j.contract] || j.contract} — ${j.location}`),
    h('p', {}, 'Jusqu’au ', h('time', { datetime: j.expires_at }, formatDate(j.expires_at))));
}

async function loadList() {
  try {
    const data = await api.get(`${CONTENT_API}/jobs?limit=100`);
    replaceChildren(list, data.items.length
      ? h('ul', { class: 'content-list grid-2' }, data.items.map(offerCard))
      : h('p', { class: 'empty-state' }, 'Aucune offre d’emploi pour le moment.'));
  } catch (err) {
    replaceChildren(list, h('p', { role: 'alert' }, `Les offres ne peuvent pas être affichées : ${err.message}`));
  }
}

function offerArticle(j) {
  const desc = h('div', { class: 'prose' });
  setRenderedHtml(desc, j.description_html);
  return h('article', { class: 'card', 'aria-labelledby': 'offre-titre' },
    h('h2', { id: 'offre-titre' }, j.title),
    h('p', { class: 'meta' }, `${j.employer} — ${CONTRACTS[j.contract] || j.contract} — ${j.location}`),
    desc,
    h('p', {}, 'Candidature : ', h('a', { href: `mailto:${j.contact_email}` }, j.contact_email)),
    h('p', {}, 'Offre valable jusqu’au ', h('time', { datetime: j.expires_at }, formatDate(j.expires_at))));
}

async function showOffer(id) {
  try {
    replaceChildren(detail, offerArticle(await api.get(`${CONTENT_API}/jobs/${encodeURIComponent(id)}`)));
  } catch {
    replaceChildren(detail, h('p', { class: 'notice' }, 'Cette offre n’est plus en ligne ou n’existe pas.'));
  }
  detail.hidden = false;
}

function jobForm(prefix, job, submitLabel, onSubmit) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const expires = job?.expires_at ? job.expires_at.slice(0, 10) : '';
  const form = h('form', { novalidate: true },
    h('p', { class: 'hint' }, 'Les champs marqués d’un astérisque (*) sont obligatoires.'),
    summary,
    field({ mark: true, id: `${prefix}-titre`, name: 'title', label: 'Intitulé du poste', required: true, value: job?.title || '' }),
    field({ mark: true, id: `${prefix}-employeur`, name: 'employer', label: 'Employeur', required: true, value: job?.employer || '', attrs: { autocomplete: 'organization' } }),
    field({ mark: true, id: `${prefix}-contrat`, name: 'contract', label: 'Type de contrat', required: true, options: contractOptions, value: job?.contract || 'cdi' }),
    field({ mark: true, id: `${prefix}-lieu`, name: 'location', label: 'Lieu de travail', required: true, value: job?.location || '' }),
    field({ mark: true, id: `${prefix}-description`, name: 'description_md', label: 'Description du poste', required: true, rows: 8,
      hint: 'Missions, profil recherché, horaires, rémunération (20 caractères au moins). Mise en forme Markdown possible.', value: job?.description_md || '' }),
    field({ mark: true, id: `${prefix}-courriel`, name: 'contact_email', label: 'Courriel pour les candidatures', type: 'email', required: true,
      hint: 'Le lien pour modifier ou retirer l’offre y sera envoyé.', value: job?.contact_email || '', attrs: { autocomplete: 'email' } }),
    field({ mark: true, id: `${prefix}-fin`, name: 'expires_at', label: 'Date de fin de publication', type: 'date', required: true,
      hint: 'Au plus tard dans un an.', value: expires }),
    // Honeypot: people do not see it (and it is out of the tab order); robots fill it in.
    h('div', { class: 'hp-field', 'aria-hidden': 'true' },
      h('label', { for: `${prefix}-site` }, 'Ne pas remplir ce champ'),
      h('input', { id: `${prefix}-site`, name: 'website', type: 'text', tabindex: '-1', autocomplete: 'off' })),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn', type: 'submit' }, submitLabel)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const v = values(form);
    if (v.expires_at) v.expires_at = endOfDayUtc(v.expires_at);
    try {
      await onSubmit(v, form);
    } catch (err) {
      showApiError(summary, form, err, { withLabels: true });
    }
  });
  return form;
}

function showPostForm() {
  replaceChildren(formZone, jobForm('offre', null, 'Envoyer l’offre', async (v) => {
    const created = await api.post(`${CONTENT_API}/jobs`, v);
    replaceChildren(formZone, h('div', { class: 'success-box', role: 'status', tabindex: '-1' },
      h('p', {}, h('strong', {}, 'Merci, votre offre a bien été reçue.')),
      h('p', {}, 'Elle sera publiée après validation par la mairie. Un courriel vous a été envoyé avec le lien pour la modifier ou la retirer.'),
      h('p', {}, `Référence : ${created.id}`)));
    formZone.firstChild.focus();
  }));
}

async function showManage(id, key) {
  const headers = { 'X-Job-Token': key };
  let job, etag;
  try {
    ({ data: job, etag } = await exchange('GET', `${CONTENT_API}/jobs/${encodeURIComponent(id)}`, { headers }));
  } catch {
    replaceChildren(manage, h('p', { class: 'notice' }, 'Ce lien n’est pas valable. Vérifiez que vous avez copié l’adresse complète du courriel.'));
    manage.hidden = false;
    return;
  }
  const state = h('p', { class: job.status === 'published' ? 'success-box' : 'pending-box', role: 'status' },
    `Votre offre est ${STATUS[job.status] || job.status}.`, job.review_comment ? ` Commentaire de la mairie : ${job.review_comment}` : '');
  const withdraw = h('button', { class: 'btn btn-secondary', type: 'button' }, 'Retirer l’offre');
  withdraw.addEventListener('click', async () => {
    try {
      job = await api.post(`${CONTENT_API}/jobs/${encodeURIComponent(id)}/withdraw`, undefined, { headers });
      state.textContent = 'Votre offre est retirée.';
      withdraw.disabled = true;
    } catch (err) {
      state.textContent = err.message;
    }
  });
  const form = jobForm('gestion', job, 'Enregistrer les modifications', async (v) => {
    delete v.website;
    ({ data: job, etag } = await exchange('PATCH', `${CONTENT_API}/jobs/${encodeURIComponent(id)}`, { body: v, headers: { ...headers, 'If-Match': etag } }));
    state.className = 'pending-box';
    state.textContent = 'Modifications enregistrées : votre offre sera de nouveau publiée après validation par la mairie.';
  });
  replaceChildren(manage, h('section', { class: 'form-card', 'aria-labelledby': 'gestion-titre' },
    h('h2', { id: 'gestion-titre' }, 'Gérer votre offre'), state,
    job.status === 'withdrawn' ? null : [form, h('div', { class: 'form-actions' }, withdraw)]));
  manage.hidden = false;
}

const id = param('offre');
const key = new URLSearchParams(location.hash.slice(1)).get('cle');
if (id && key) showManage(id, key);
else if (id) showOffer(id);
showPostForm();
loadList();
