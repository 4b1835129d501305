// Signing in, for the public « Se connecter » page and the agents' login screen alike: one call
// to civitas-account's login with the password and, when the account has it, the one-time code
// of the authenticator app or one of the recovery codes (a lost phone). api.js then holds the token.

import { api, ApiError, setAccessToken } from './api.js';
import { PROBLEM_MESSAGES } from './messages-fr.js';

const LOGIN_PATH = '/api/account/v1/login';

/** Does this refusal ask for the second factor (first time, or a wrong code)? */
export function needsSecondFactor(err) {
  return err.code === 'totp_required' || err.code === 'invalid_totp' ||
    (err.fields || []).some((f) => f.field === 'totp' || f.field === 'totp_code' || f.field === 'recovery_code');
}

/**
 * Signs in; a recovery code, when given, stands in for the one-time code. Resolves with the
 * login's answer ({ access_token, user, recovery_codes_left? }) once the token is held;
 * rejects with the ApiError (needsSecondFactor tells when to ask for the code).
 * beforeSession(answer) runs just before the token is held, for what the onAuthChange listeners
 * then read (the name the header shows, without asking /me again).
 */
export async function signIn({ email, password, totp, recoveryCode }, { beforeSession } = {}) {
  const body = { email, password };
  if (recoveryCode) body.recovery_code = recoveryCode;
  else if (totp) body.totp = totp;
  const data = await api.post(LOGIN_PATH, body, { retry: false });
  if (!data || typeof data.access_token !== 'string') {
    throw new ApiError({ status: 502, code: 'unavailable', message: PROBLEM_MESSAGES.unavailable });
  }
  beforeSession?.(data);
  setAccessToken(data.access_token);
  return data;
}
