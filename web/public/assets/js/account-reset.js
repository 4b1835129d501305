// Nouveau mot de passe: POST /password/reset with the link's token (taken from the address bar
// at once). Every session ends; the person then signs in with the new password.
import { h } from '/lib/dom.js';
import { ACCOUNT, api, bindForm, confirm, takeToken } from './account-common.js';

const token = takeToken();
const area = document.getElementById('account-area');
if (!token) {
  confirm(area, 'Lien incomplet', h('p', {}, 'Ouvrez le lien reçu par courriel, ou ',
    h('a', { href: '/mot-de-passe-oublie.html' }, 'demandez un nouveau lien'), '.'));
} else {
  bindForm(document.getElementById('reset-form'), async (v) => {
    await api.post(`${ACCOUNT}/password/reset`, { token, password: v.password }, { retry: false });
    confirm(area, 'Mot de passe enregistré', h('p', {}, 'Vous pouvez maintenant ',
      h('a', { href: '/connexion.html' }, 'vous connecter'), ' avec votre nouveau mot de passe.'));
  });
}
