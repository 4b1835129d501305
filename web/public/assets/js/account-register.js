// Créer mon compte: POST /register. The answer is the same whether or not the address already
// has an account (the e-mail says which), so the page always shows "check your mailbox".
import { ACCOUNT, api, bindForm, confirm } from './account-common.js';

const form = document.getElementById('register-form');
bindForm(form, async (v) => {
  const body = { email: v.email, password: v.password, given_name: v.given_name, family_name: v.family_name };
  if (v.phone) body.phone = v.phone;
  await api.post(`${ACCOUNT}/register`, body, { retry: false });
  confirm(document.getElementById('account-area'), 'Vérifiez votre messagerie',
    `Un message vient d’être envoyé à ${v.email}. Ouvrez le lien qu’il contient pour activer votre compte (il est valable 48 heures).`,
    'Rien reçu après quelques minutes ? Regardez dans les courriers indésirables, ou demandez un nouveau lien depuis la page de confirmation.');
});
