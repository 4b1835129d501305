// Mot de passe oublié: POST /password/forgot always answers 202, so the page never tells
// whether an account exists for the address.
import { ACCOUNT, api, bindForm, confirm } from './account-common.js';

bindForm(document.getElementById('forgot-form'), async (v) => {
  await api.post(`${ACCOUNT}/password/forgot`, { email: v.email }, { retry: false });
  confirm(document.getElementById('account-area'), 'Vérifiez votre messagerie',
    `Si un compte existe pour ${v.email}, un message avec un lien vient de lui être envoyé. Le lien est valable une heure.`);
});
