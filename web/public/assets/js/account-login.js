// Se connecter: the one sign-in page of the public site (the other pages that need a session
// link here with ?retour=), through /lib/sign-in.js, with the one-time code field (or a recovery
// code) shown when the account has TOTP.
// On success the access token stays in memory and the refresh cookie carries the session to
// the next page: "Mon espace" (or the page given in ?retour=, same site only).
import { showErrors } from '/lib/forms.js';
import { needsSecondFactor, signIn } from '/lib/sign-in.js';
import { bindForm } from './account-common.js';
import { rememberName } from './header-session.js';

const form = document.getElementById('login-form');
const summary = form.querySelector('.error-summary');
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
  try {
    // A recovery code (lost phone) stands in for the one-time code.
    await signIn({
      email: v.email, password: v.password,
      totp: totpField.hidden ? undefined : v.totp,
      recoveryCode: recoveryField.hidden ? undefined : v.recovery_code,
    }, { beforeSession: (data) => rememberName(data.user) });
    location.assign(nextPage());
  } catch (err) {
    if (needsSecondFactor(err)) {
      totpField.hidden = false;
      recoveryField.hidden = false;
      const which = err.fieldMessages.recovery_code ? 'recovery_code' : 'totp';
      showErrors(summary, form, { title: 'Code à usage unique requis', items: [{ field: which, message: err.fieldMessages[which] || err.message }] });
      return;
    }
    if (err.code === 'email_not_verified') {
      showErrors(summary, form, { title: 'Adresse non confirmée', items: [{ message: err.message },
        { message: 'Vous pouvez demander un nouveau lien depuis la page « Confirmer mon adresse ».' }] });
      return;
    }
    throw err;
  }
}, { title: 'Connexion impossible' });
