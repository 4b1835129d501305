// French wording for the API's stable problem codes and per-field error codes.
// The API speaks English; every message a citizen or an agent reads comes from here.

/** Problem `code` (RFC 9457 body) → French sentence shown to the user. */
export const PROBLEM_MESSAGES = Object.freeze({
  validation_failed: 'Certaines informations saisies ne sont pas valides. Corrigez les champs signalés puis réessayez.',
  malformed_json: 'La demande envoyée est mal formée. Rechargez la page puis réessayez.',
  invalid_encoding: 'L’adresse demandée contient des caractères non valides. Vérifiez-la puis réessayez.',
  not_found: 'L’élément demandé est introuvable. Il a peut-être été supprimé ou déplacé.',
  method_not_allowed: 'Cette opération n’est pas permise ici.',
  uri_too_long: 'L’adresse demandée est trop longue. Raccourcissez votre recherche puis réessayez.',
  unauthorized: 'Votre session a expiré ou vos identifiants sont incorrects. Veuillez vous connecter.',
  forbidden: 'Vous n’avez pas les droits nécessaires pour effectuer cette opération.',
  conflict: 'Cette opération entre en conflit avec l’état actuel des données. Rechargez la page puis réessayez.',
  precondition_failed: 'Ces informations ont été modifiées entre-temps par une autre personne. Rechargez la page pour voir la dernière version.',
  precondition_required: 'Cette modification nécessite la dernière version des données. Rechargez la page puis réessayez.',
  payload_too_large: 'Le fichier ou le contenu envoyé est trop volumineux.',
  unsupported_media_type: 'Ce type de fichier ou de contenu n’est pas accepté.',
  rate_limited: 'Trop de tentatives en peu de temps. Patientez quelques instants puis réessayez.',
  unavailable: 'Service indisponible pour le moment. Veuillez réessayer plus tard.',
  internal: 'Une erreur inattendue s’est produite. Veuillez réessayer plus tard.',
  // Client-side conditions that have no server code but need the same treatment.
  network: 'Impossible de joindre le serveur. Vérifiez votre connexion internet puis réessayez.',
  totp_required: 'Saisissez le code à usage unique affiché par votre application d’authentification.',
  // civitas-account
  invalid_credentials: 'Adresse électronique ou mot de passe incorrect.',
  email_not_verified: 'Votre adresse électronique n’est pas encore confirmée : ouvrez le lien reçu par courriel.',
  account_disabled: 'Ce compte est désactivé. Contactez la mairie.',
  invalid_totp: 'Ce code à usage unique ou ce code de secours est incorrect ou a déjà servi. Attendez le code suivant puis réessayez.',
  totp_enrolment_required: 'Votre compte doit être protégé par une application d’authentification avant la première connexion.',
  invalid_token: 'Ce lien n’est pas valable : il a déjà servi ou a expiré. Demandez-en un nouveau.',
});

/** Field error `code` (problem `errors[].code`) → French sentence. */
export const FIELD_MESSAGES = Object.freeze({
  required: 'Ce champ est obligatoire.',
  wrong_type: 'La valeur saisie n’est pas du type attendu.',
  out_of_range: 'La valeur saisie est en dehors des limites autorisées.',
  invalid_format: 'Le format de la valeur saisie n’est pas valide.',
  not_allowed: 'Cette valeur n’est pas autorisée.',
  unknown_field: 'Ce champ n’est pas attendu.',
  // civitas-content
  taken: 'Cette adresse (slug) est déjà utilisée : choisissez-en une autre.',
  alt_required: 'Une image de couverture doit avoir un texte alternatif (onglet Médias).',
});

// Some fields deserve a more precise sentence than the generic one (RGAA 11.11: suggest a fix).
const FIELD_OVERRIDES = Object.freeze({
  'email:required': 'Saisissez votre adresse électronique.',
  'link:not_found': 'Aucune page publiée du site n’a cette adresse : vérifiez le slug (/page.html?slug=…).',
  'email:invalid_format': 'Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr.',
  'password:required': 'Saisissez votre mot de passe.',
  'password:out_of_range': 'Le mot de passe doit contenir entre 12 et 128 caractères.',
  'totp_code:required': 'Saisissez le code à usage unique à 6 chiffres.',
  'totp_code:invalid_format': 'Le code à usage unique est composé de 6 chiffres.',
  'totp:invalid_format': 'Le code à usage unique est composé de 6 chiffres.',
  'code:invalid_format': 'Le code à usage unique est composé de 6 chiffres.',
  'recovery_code:required': 'Saisissez un de vos codes de secours.',
  'recovery_code:invalid_format': 'Un code de secours compte 16 lettres et chiffres, par exemple ABCD-EFGH-JKLM-NPQR.',
  'password:invalid_credentials': 'Le mot de passe est incorrect.',
  'from:required': 'Indiquez le début de la période.',
  'to:required': 'Indiquez la fin de la période.',
  'code:invalid_totp': 'Ce code ne correspond pas : vérifiez l’heure de votre téléphone et saisissez le code affiché.',
  'password:same_as_email': 'Le mot de passe ne doit pas être votre adresse électronique.',
  'password:same_as_name': 'Le mot de passe ne doit pas être votre nom ou votre prénom.',
  'new_password:same_as_email': 'Le mot de passe ne doit pas être votre adresse électronique.',
  'new_password:same_as_name': 'Le mot de passe ne doit pas être votre nom ou votre prénom.',
  'new_password:out_of_range': 'Le mot de passe doit contenir entre 12 et 128 caractères.',
  'current_password:wrong_password': 'Le mot de passe actuel est incorrect.',
  'phone:invalid_format': 'Saisissez un numéro de téléphone, par exemple 02 38 00 00 00.',
  // civitas-content
  'expires_at:out_of_range': 'Choisissez une date de fin à venir, au plus tard dans un an.',
  'expires_at:required': 'Indiquez jusqu’à quand l’offre doit rester en ligne.',
  'description_md:out_of_range': 'La description doit contenir au moins 20 caractères.',
  'title:out_of_range': 'L’intitulé doit contenir au moins 3 caractères.',
  'contact_email:invalid_format': 'Saisissez une adresse électronique valide, par exemple recrutement@exemple.fr.',
  'contact_email:required': 'Indiquez l’adresse électronique qui recevra les candidatures.',
  'website:not_allowed': 'Ce champ doit rester vide.',
  'website:invalid_format': 'Saisissez une adresse complète, commençant par https://',
  'unpublish_at:out_of_range': 'La date de dépublication doit suivre la date de publication.',
  'ends_at:out_of_range': 'La fin doit suivre le début.',
});

const STATUS_CODES = Object.freeze({
  400: 'malformed_json',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  428: 'precondition_required',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
});

/** The stable code to assume when a response carries none (e.g. an nginx error page). */
export function codeForStatus(status) {
  if (STATUS_CODES[status]) return STATUS_CODES[status];
  return status >= 500 ? 'internal' : 'malformed_json';
}

/** French message for a problem code; falls back on the HTTP status, then on a generic text. */
export function problemMessage(code, status) {
  return PROBLEM_MESSAGES[code] || PROBLEM_MESSAGES[codeForStatus(status)] || PROBLEM_MESSAGES.internal;
}

/** French message for one field error. */
export function fieldMessage(field, code) {
  return FIELD_OVERRIDES[`${field}:${code}`] || FIELD_MESSAGES[code] || PROBLEM_MESSAGES.validation_failed;
}
