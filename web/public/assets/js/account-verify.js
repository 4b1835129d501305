// Confirmer mon adresse: the token of the e-mail's link is sent once (POST /verify-email) and
// removed from the address bar; a form asks for a new link when it no longer works.
import { h, replaceChildren } from '/lib/dom.js';
import { ACCOUNT, api, bindForm, confirm, takeToken } from './account-common.js';

const status = document.getElementById('verify-status');
const token = takeToken();

async function verify() {
  if (!token) {
    replaceChildren(status, h('p', {}, 'Ce lien est incomplet. Ouvrez le lien reçu par courriel, ou demandez-en un nouveau ci-dessous.'));
    return;
  }
  try {
    await api.post(`${ACCOUNT}/verify-email`, { token }, { retry: false });
    replaceChildren(status, h('div', { class: 'notice' },
      h('h2', {}, 'Votre adresse est confirmée'),
      h('p', {}, 'Votre compte est actif. Vous pouvez maintenant vous connecter.'),
      h('p', {}, h('a', { class: 'btn', href: '/connexion.html' }, 'Se connecter'))));
  } catch (err) {
    replaceChildren(status, h('p', {}, err.message));
  }
  status.focus();
}

bindForm(document.getElementById('resend-form'), async (v) => {
  await api.post(`${ACCOUNT}/verify-email/resend`, { email: v.email }, { retry: false });
  confirm(document.getElementById('resend-form'), 'Demande enregistrée',
    `Si un compte non confirmé existe pour ${v.email}, un nouveau lien vient de lui être envoyé.`);
});

verify();
