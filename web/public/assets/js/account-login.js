// Se connecter: POST /login, with the one-time code field (or a recovery code) shown when the
// account has TOTP.
// On success the access token stays in memory and the refresh cookie carries the session to
// the next page: "Mon espace" (or the page given in ?retour=, same site only).
import { setAccessToken } from '/lib/api.js';
import { ACCOUNT, api, bindForm, showErrors } from './account-common.js';
import { rememberName } from './header-session.js';

const form = document.getElementById('login-form');
const totpField = document.getElementById('totp-field');
const recoveryField = document.getElementById('recovery-field');

function nextPage() {
  const back = new URL(location.href).searchParams.get('retour') || '';
  // A page of this site, with its query (the procedure being done): never another origin.
  if (!/^\/[a-z0-9-]+\.html(\?[^#]*)?$/.test(back)) return '/mon-espace.html';
  const url = new URL(back, location.origin);
  return url.origin === location.origin ? `${url.pathname}${url.search}` : '/mon-espace.html';
}

bindForm(form, async (v) => {
  const body = { email: v.email, password: v.password };
  // A recovery code (lost phone) stands in for the one-time code.
  if (!recoveryField.hidden && v.recovery_code) body.recovery_code = v.recovery_code;
  else if (!totpField.hidden && v.totp) body.totp = v.totp;
  try {
    const data = await api.post(`${ACCOUNT}/login`, body, { retry: false });
    rememberName(data.user);
    setAccessToken(data.access_token);
    location.assign(nextPage());
  } catch (err) {
    if (err.code === 'totp_required' || err.code === 'invalid_totp') {
      totpField.hidden = false;
      recoveryField.hidden = false;
      showErrors(form, 'Code à usage unique requis', [{ field: 'totp', message: err.message }]);
      return;
    }
    if (err.code === 'email_not_verified') {
      showErrors(form, 'Adresse non confirmée', [{ message: err.message },
        { message: 'Vous pouvez demander un nouveau lien depuis la page « Confirmer mon adresse ».' }]);
      return;
    }
    throw err;
  }
}, { title: 'Connexion impossible' });
