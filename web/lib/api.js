// Small client for the Civitas JSON APIs, shared by the public site and the agent SPA.
// Keeps the access token in memory only and turns problem+json answers into French errors.

import { codeForStatus, fieldMessage, problemMessage } from './messages-fr.js';

const REFRESH_PATH = '/api/account/v1/session/refresh';
const LOGOUT_PATH = '/api/account/v1/session/logout';

// The access token lives in this module only: never in localStorage or sessionStorage, so a
// script injected into the page cannot read a long-lived copy (architecture §5).
let accessToken = null;
let refreshInFlight = null;
const listeners = new Set();

// Tabs of the same browser share one refresh cookie, and each refresh token is spent at its
// first use: two tabs refreshing at once would present it twice (civitas-account lets that race
// through for a few seconds, but not longer). So the tabs take turns with a Web Lock, and the
// tab that refreshed hands the new access token to the others on a BroadcastChannel (same
// origin only); a tab that waited for the lock takes that token instead of refreshing again.
const REFRESH_LOCK = 'civitas-refresh';
const SHARED_TOKEN_MAX_AGE_MS = 5000;
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('civitas-session') : null;
channel?.unref?.(); // under Node (tests), an open channel would keep the process alive
let sharedToken = { token: null, at: 0 };
channel?.addEventListener('message', (event) => {
  const m = event.data;
  if (m && m.type === 'token' && typeof m.token === 'string') sharedToken = { token: m.token, at: Date.now() };
});

/** Error thrown for every failed call: HTTP status, stable code and French messages. */
export class ApiError extends Error {
  constructor({ status, code, message, fields = [], detail = '', requestId = '', retryAfter = null, problem = {} }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;          // 0 when the server could not be reached at all
    this.code = code;              // stable problem code (messages-fr.js)
    this.fields = fields;          // [{ field, code, message }] with French messages
    this.fieldMessages = Object.fromEntries(fields.map((f) => [f.field, f.message]));
    this.detail = detail;          // the API's English detail, for logs and support only
    this.requestId = requestId;    // quote it to support to find the server log line
    this.retryAfter = retryAfter;  // seconds, from Retry-After on 429 / 503
    this.problem = problem;        // the whole problem body (extension members, e.g. enrolment_token)
  }
}

export function getAccessToken() {
  return accessToken;
}

export function isAuthenticated() {
  return accessToken !== null;
}

/** Store (or clear, with null) the access token and tell the listeners. */
export function setAccessToken(token) {
  accessToken = token || null;
  for (const fn of listeners) fn(accessToken !== null);
}

/** Call fn(isAuthenticated) whenever the session starts or ends; returns an unsubscribe function. */
export function onAuthChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function parseRetryAfter(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

function isJson(contentType) {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType || '');
}

async function errorFromResponse(response) {
  const contentType = response.headers.get('Content-Type') || '';
  let problem = {};
  if (isJson(contentType)) {
    try {
      problem = (await response.json()) || {};
    } catch {
      problem = {};
    }
  }
  const status = response.status;
  const code = typeof problem.code === 'string' && problem.code ? problem.code : codeForStatus(status);
  const fields = Array.isArray(problem.errors)
    ? problem.errors
        .filter((e) => e && typeof e.field === 'string')
        .map((e) => ({ field: e.field, code: String(e.code || ''), message: fieldMessage(e.field, e.code) }))
    : [];
  return new ApiError({
    status,
    code,
    message: problemMessage(code, status),
    fields,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    requestId: problem.request_id || response.headers.get('X-Request-Id') || '',
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
    problem,
  });
}

function networkError(cause) {
  const err = new ApiError({ status: 0, code: 'network', message: problemMessage('network', 0) });
  err.cause = cause;
  return err;
}

async function send(method, path, { body, headers = {}, signal, accept = 'application/json, application/problem+json' } = {}) {
  const h = new Headers(headers);
  h.set('Accept', accept);
  // Custom header that a cross-site form cannot send: the gateway and daemons use it as a CSRF guard.
  h.set('X-Requested-With', 'civitas');
  if (accessToken) h.set('Authorization', `Bearer ${accessToken}`);
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob) && typeof body !== 'string') {
    h.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  try {
    return await fetch(path, { method, headers: h, body: payload, signal, credentials: 'same-origin' });
  } catch (cause) {
    if (cause && cause.name === 'AbortError') throw cause;
    throw networkError(cause);
  }
}

async function refreshOnce() {
  const response = await fetch(REFRESH_PATH, {
    method: 'POST',
    headers: { Accept: 'application/json', 'X-Requested-With': 'civitas' },
    credentials: 'same-origin',
  });
  if (!response.ok || !isJson(response.headers.get('Content-Type'))) return false;
  const data = await response.json();
  if (!data || typeof data.access_token !== 'string') return false;
  setAccessToken(data.access_token);
  channel?.postMessage({ type: 'token', token: data.access_token });
  return true;
}

/**
 * Ask civitas-account for a new access token with the HttpOnly refresh cookie.
 * Resolves true on success, false otherwise (no session, or the endpoint does not exist yet).
 * Concurrent callers share one request, and other tabs take turns (see REFRESH_LOCK), since each
 * refresh token may be used only once.
 */
export function refreshSession() {
  // civitas-account sets a readable marker cookie next to the HttpOnly refresh cookie: without
  // it there is no session to refresh, and the call (a logged 401) is not worth making.
  if (typeof document !== 'undefined' && !/(?:^|;\s*)civitas_session=/.test(document.cookie)) {
    return Promise.resolve(false);
  }
  if (!refreshInFlight) {
    const asked = Date.now();
    const turn = async () => {
      // Another tab refreshed while this one waited: its token is as good as a new one.
      if (sharedToken.token && sharedToken.at >= asked - SHARED_TOKEN_MAX_AGE_MS && sharedToken.token !== accessToken) {
        setAccessToken(sharedToken.token);
        return true;
      }
      return refreshOnce();
    };
    refreshInFlight = (async () => {
      try {
        const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
        return await (locks && typeof locks.request === 'function' ? locks.request(REFRESH_LOCK, turn) : turn());
      } catch {
        return false;
      } finally {
        refreshInFlight = null;
      }
    })();
  }
  return refreshInFlight;
}

// Sends the call; a 401 on a call that carried a token triggers one refresh and one retry.
// Resolves with the successful Response, rejects with an ApiError.
async function respond(method, path, options) {
  const hadToken = accessToken !== null;
  let response = await send(method, path, options);
  if (response.status === 401 && hadToken && options.retry !== false) {
    if (await refreshSession()) {
      response = await send(method, path, options);
    } else {
      setAccessToken(null);
    }
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

function bodyOf(response) {
  if (response.status === 204) return null;
  return isJson(response.headers.get('Content-Type')) ? response.json() : response.text();
}

/**
 * Call the API. Resolves with the parsed JSON body (null for 204, text for non-JSON bodies),
 * rejects with an ApiError. A 401 on a call that carried a token triggers one refresh attempt.
 * Options: body, headers, signal, retry (false: no refresh on 401).
 */
export async function request(method, path, options = {}) {
  return bodyOf(await respond(method, path, options));
}

/**
 * Like request, for the callers that need the answer's headers: resolves with
 * { data, etag, headers, status }. The ETag is the server's, to send back as If-Match as is
 * (never rebuilt here from the body: the server alone knows its format).
 */
export async function exchange(method, path, options = {}) {
  const response = await respond(method, path, options);
  return { data: await bodyOf(response), etag: response.headers.get('ETag'), headers: response.headers, status: response.status };
}

/** A protected file as a Blob, with the token and its refresh like any call; rejects with an ApiError. */
export async function fetchBlob(path, options = {}) {
  const response = await respond('GET', path, { accept: '*/*', ...options });
  return response.blob();
}

/**
 * Fetches a protected file and hands it to the browser as a download named filename. The object
 * URL is made only once the whole file is here and released well after the click (a download
 * starts asynchronously: revoking at once could cancel it).
 */
export async function download(path, filename, options = {}) {
  const url = URL.createObjectURL(await fetchBlob(path, options));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Fetches a protected file and shows it in a new tab (a PDF or an image the browser can show). */
export async function openFile(path, options = {}) {
  const url = URL.createObjectURL(await fetchBlob(path, options));
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * Ends the session: civitas-account forgets the refresh token (its HttpOnly cookie identifies
 * it, no access token needed) and the in-memory token goes. Never rejects: when the server
 * cannot be reached the local session ends anyway and the cookie expires on its own.
 */
export async function logout() {
  try {
    await fetch(LOGOUT_PATH, { method: 'POST', headers: { 'X-Requested-With': 'civitas' }, credentials: 'same-origin' });
  } catch {
    // nothing more to do: see above
  }
  setAccessToken(null);
}

/**
 * The claims of the in-memory access token ({} when signed out), for the screens to offer what
 * the role may use. Not verified here: the API checks the token and every right again.
 */
export function claims() {
  if (!accessToken) return {};
  try {
    const part = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    return json && typeof json === 'object' ? json : {};
  } catch {
    return {};
  }
}

export const api = Object.freeze({
  get: (path, options) => request('GET', path, options),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
});
