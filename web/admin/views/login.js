// Login screen of the agent SPA: e-mail, password and, when the API asks for it, a TOTP code or
// one of the recovery codes (a lost phone). Enrolment ends on the ten recovery codes, shown once.
// Errors (client checks or API problems) go to the shared accessible summary linked to each field.

import { api } from '/lib/api.js';
import { h, replaceChildren } from '/lib/dom.js';
import { clearErrors, countTitle, field, retryText, showErrors } from '/lib/forms.js';
import { fieldMessage, PROBLEM_MESSAGES } from '/lib/messages-fr.js';
import { needsSecondFactor, signIn } from '/lib/sign-in.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const RECOVERY_RE = /^[A-Za-z0-9 -]{16,24}$/;

/** Is this failure one where the login service itself is missing or down (not the user's fault)? */
function serviceUnavailable(err) {
  return err.status === 0 || err.status === 404 || err.status === 501 || err.code === 'unavailable' ||
    err.status === 502 || err.status === 503 || err.status === 504;
}

const ACCOUNT = '/api/account/v1';

/**
 * An administrator without an authenticator app: the login answered totp_enrolment_required with
 * a short-lived enrolment token. Show the secret (and its otpauth:// URI), ask for a first code,
 * confirm, then come back to the login form, which now needs the code.
 */
async function enrol(container, enrolmentToken, done) {
  const setup = await api.post(`${ACCOUNT}/me/totp/setup`, { enrolment_token: enrolmentToken }, { retry: false });
  // The same link as a QR code to scan (drawn by the account service); the secret stays readable.
  const qr = h('p', { class: 'enrol-qr' });
  api.post(`${ACCOUNT}/totp/qr`, { uri: setup.otpauth_uri }, { retry: false }).then((svg) => {
    // A data: URL: the page's CSP allows img-src 'self' data: (not blob:).
    const url = `data:image/svg+xml,${encodeURIComponent(svg)}`;
    qr.append(h('img', { src: url, width: 200, height: 200, alt: 'QR code du lien de configuration, à scanner avec l’application d’authentification' }));
  }).catch(() => { qr.textContent = 'Le QR code n’a pas pu être affiché : saisissez la clé secrète.'; });
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
  const code = h('input', { id: 'enrol-code', name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    maxlength: '6', required: true, 'aria-describedby': 'enrol-code-hint' });
  const form = h('form', { class: 'login-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'enrol-code' }, 'Premier code affiché par l’application'),
      h('span', { class: 'hint', id: 'enrol-code-hint' }, '6 chiffres.'), code),
    h('button', { class: 'btn', type: 'submit' }, 'Activer la double authentification'));
  replaceChildren(container, h('div', { class: 'login' }, h('div', { class: 'login-card' },
    h('h1', {}, 'Protéger votre compte administrateur'),
    h('p', {}, 'Les administrateurs doivent utiliser une application d’authentification (FreeOTP, Aegis, Google Authenticator…). Ajoutez-y un compte avec cette clé secrète :'),
    h('p', {}, h('code', { id: 'enrol-secret' }, setup.secret)),
    qr,
    h('p', {}, 'ou avec ce lien de configuration : ', h('code', {}, setup.otpauth_uri)),
    summary, form)));
  container.querySelector('h1').focus?.();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const confirmed = await api.post(`${ACCOUNT}/me/totp/confirm`, { enrolment_token: enrolmentToken, code: code.value.trim() }, { retry: false });
      showRecoveryCodes(container, confirmed.recovery_codes || [], done);
    } catch (err) {
      code.setAttribute('aria-invalid', 'true');
      replaceChildren(summary, h('h2', {}, 'Code refusé'), h('p', {}, err.fieldMessages?.code || err.message));
      summary.focus();
    }
  });
}

/**
 * The ten recovery codes of a new enrolment: shown this once (the server keeps only their hash),
 * to write down or download before going on.
 */
export function showRecoveryCodes(container, codes, done, { title = 'Vos codes de secours', next = 'J’ai mis mes codes en lieu sûr, continuer' } = {}) {
  const text = `Codes de secours — ${new Date().toLocaleDateString('fr-FR')}\n${codes.join('\n')}\n`;
  const download = h('a', { class: 'btn btn-secondary', download: 'codes-de-secours.txt',
    href: URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' })) }, 'Télécharger les codes');
  const go = h('button', { class: 'btn', type: 'button' }, next);
  replaceChildren(container, h('div', { class: 'login' }, h('div', { class: 'login-card' },
    h('h1', { tabindex: '-1' }, title),
    h('p', {}, 'Si vous perdez votre téléphone, chacun de ces codes remplace une fois le code de l’application. Notez-les ou téléchargez-les maintenant et gardez-les hors de votre téléphone : ils ne seront plus affichés.'),
    h('ol', { class: 'recovery-codes', id: 'recovery-codes', 'aria-label': 'Codes de secours' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('p', { class: 'recovery-actions' }, download, ' ', go))));
  container.querySelector('h1').focus();
  go.addEventListener('click', () => {
    URL.revokeObjectURL(download.href);
    done();
  });
}

/**
 * Render the login form into container. onSuccess(user) is called once a token is held;
 * user is what the API returned about the agent (or { email } when it returned nothing).
 */
export function renderLogin(container, { onSuccess }) {
  const summary = h('div', { class: 'error-summary', id: 'login-errors', role: 'alert', tabindex: '-1' });
  const totpField = field({
    id: 'login-totp', name: 'totp_code', label: 'Code à usage unique',
    hint: 'Code à 6 chiffres affiché par votre application d’authentification.',
    attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}', spellcheck: 'false' },
  });
  totpField.hidden = true;
  const recoveryField = field({
    id: 'login-recovery', name: 'recovery_code', label: 'Code de secours',
    hint: 'Un des codes reçus à l’activation, par exemple ABCD-EFGH-JKLM-NPQR. Chaque code ne sert qu’une fois.',
    attrs: { autocomplete: 'off', maxlength: '24', spellcheck: 'false', autocapitalize: 'characters' },
  });
  recoveryField.hidden = true;
  const useRecovery = h('button', { class: 'btn-link', type: 'button', id: 'login-use-recovery', hidden: true },
    'J’ai perdu mon téléphone : utiliser un code de secours');
  const showPassword = h('input', { type: 'checkbox', id: 'login-show-password' });
  const submit = h('button', { class: 'btn login-submit', type: 'submit' }, 'Se connecter');

  const form = h('form', { class: 'login-form', novalidate: true, 'aria-describedby': 'login-required' },
    h('p', { class: 'hint', id: 'login-required' }, 'Tous les champs sont obligatoires.'),
    field({
      id: 'login-email', name: 'email', label: 'Adresse électronique', type: 'email', required: true,
      hint: 'Format attendu : prenom.nom@exemple.fr',
      attrs: { autocomplete: 'username', spellcheck: 'false', autocapitalize: 'off' },
    }),
    field({
      id: 'login-password', name: 'password', label: 'Mot de passe', type: 'password', required: true,
      attrs: { autocomplete: 'current-password' },
    }),
    h('div', { class: 'checkbox' }, showPassword, h('label', { for: 'login-show-password' }, 'Afficher le mot de passe')),
    totpField,
    recoveryField,
    useRecovery,
    submit);

  replaceChildren(container,
    h('div', { class: 'login' },
      h('div', { class: 'login-card' },
        h('h1', {}, 'Connexion à l’espace agents'),
        h('p', { class: 'login-intro' }, 'Réservé aux agents et aux élus de la commune. Utilisez les identifiants fournis par votre administrateur.'),
        summary,
        form)));

  const input = (name) => form.querySelector(`[name="${name}"]`);
  showPassword.addEventListener('change', () => {
    input('password').type = showPassword.checked ? 'text' : 'password';
  });

  // title: heading of the summary; items: [{ field?, message }]; field items become links.
  const showSummary = (title, items, options) => showErrors(summary, form, { title, items, ...options });

  function showTotp() {
    if (recoveryField.hidden) totpField.hidden = false;
    useRecovery.hidden = false;
  }

  // The phone is lost: the recovery code takes the place of the TOTP code (and back).
  useRecovery.addEventListener('click', () => {
    const toRecovery = recoveryField.hidden;
    recoveryField.hidden = !toRecovery;
    totpField.hidden = toRecovery;
    useRecovery.textContent = toRecovery ? 'Utiliser plutôt le code de l’application'
      : 'J’ai perdu mon téléphone : utiliser un code de secours';
    input(toRecovery ? 'recovery_code' : 'totp_code').focus();
  });

  function validate(values) {
    const errors = [];
    if (!values.email) errors.push({ field: 'email', code: 'required' });
    else if (!EMAIL_RE.test(values.email)) errors.push({ field: 'email', code: 'invalid_format' });
    if (!values.password) errors.push({ field: 'password', code: 'required' });
    if (!totpField.hidden) {
      if (!values.totp_code) errors.push({ field: 'totp_code', code: 'required' });
      else if (!/^\d{6}$/.test(values.totp_code)) errors.push({ field: 'totp_code', code: 'invalid_format' });
    }
    if (!recoveryField.hidden) {
      if (!values.recovery_code) errors.push({ field: 'recovery_code', code: 'required' });
      else if (!RECOVERY_RE.test(values.recovery_code)) errors.push({ field: 'recovery_code', code: 'invalid_format' });
    }
    return errors.map((e) => ({ ...e, message: fieldMessage(e.field, e.code) }));
  }

  function setBusy(busy) {
    submit.disabled = busy;
    submit.textContent = busy ? 'Connexion en cours…' : 'Se connecter';
    form.setAttribute('aria-busy', String(busy));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(summary, form);
    const values = {
      email: input('email').value.trim(),
      password: input('password').value,
      totp_code: input('totp_code').value.trim(),
      recovery_code: input('recovery_code').value.trim(),
    };
    const errors = validate(values);
    if (errors.length) {
      showSummary(countTitle(errors.length), errors);
      return;
    }

    setBusy(true);
    try {
      const data = await signIn({
        email: values.email, password: values.password,
        totp: totpField.hidden ? undefined : values.totp_code,
        recoveryCode: recoveryField.hidden ? undefined : values.recovery_code,
      });
      onSuccess(data.user && typeof data.user === 'object' ? data.user : { email: values.email });
    } catch (err) {
      if (!err || typeof err.status !== 'number') throw err;
      if (serviceUnavailable(err)) {
        showSummary('Service indisponible', [{ message: 'Le service de connexion est momentanément indisponible. Veuillez réessayer plus tard.' }]);
      } else if (err.code === 'totp_enrolment_required' && err.problem?.enrolment_token) {
        await enrol(container, err.problem.enrolment_token, () => {
          renderLogin(container, { onSuccess });
          const again = container.querySelector('#login-totp');
          again.closest('.field').hidden = false;
          container.querySelector('#login-use-recovery').hidden = false;
          container.querySelector('#login-email').value = values.email;
        });
      } else if (needsSecondFactor(err)) {
        showTotp();
        const which = recoveryField.hidden ? 'totp_code' : 'recovery_code';
        const msg = err.fieldMessages.totp || err.fieldMessages.totp_code || err.fieldMessages.recovery_code ||
          (err.code === 'invalid_totp' ? err.message : PROBLEM_MESSAGES.totp_required);
        // Asked for the first time, the code field takes the focus; a wrong code, the summary.
        showSummary(which === 'totp_code' ? 'Code à usage unique requis' : 'Code de secours refusé',
          [{ field: which, message: msg }], { focus: Boolean(values[which]) });
        if (!values[which]) input(which).focus();
      } else if (err.status === 401) {
        // Same answer whether the e-mail exists or not: the API does not tell, neither do we.
        showSummary('Connexion impossible', [{ message: 'Adresse électronique ou mot de passe incorrect.' }]);
      } else if (err.fields.length) {
        const items = err.fields.map((f) => ({ field: f.field, message: f.message }));
        showSummary(countTitle(items.length), items);
      } else {
        showSummary('Connexion impossible', [{ message: retryText(err) }]);
      }
    } finally {
      setBusy(false);
    }
  });
}
