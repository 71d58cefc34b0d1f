// api.js — the one place that talks to the JSON API (/api/v1). Keeps the session's CSRF token in
// sessionStorage, sends it as X-CSRF-Token on every state-changing request, always with the
// same-origin cookie, and turns error answers into ApiError {status, code, message}.

const CSRF_KEY = 'samtal.csrf';
const USER_KEY = 'samtal.user';
const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

export function csrfToken() {
  return sessionStorage.getItem(CSRF_KEY) || '';
}

export function cachedUser() {
  try {
    return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
  } catch {
    return null;
  }
}

export function rememberSession(csrf, user) {
  if (csrf) sessionStorage.setItem(CSRF_KEY, csrf);
  if (user) sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  else sessionStorage.removeItem(USER_KEY);
}

export function forgetSession() {
  sessionStorage.removeItem(CSRF_KEY);
  sessionStorage.removeItem(USER_KEY);
}

async function parseError(res) {
  let code = 'http_' + res.status;
  let message = res.statusText;
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch { /* not JSON: keep the status text */ }
  return new ApiError(res.status, code, message);
}

// request(method, path, body?) → parsed JSON (or null for 204). Throws ApiError.
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: ctrl.signal,
    });
  } catch (e) {
    throw new ApiError(0, 'network', e && e.message);
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const put = (path, body) => request('PUT', path, body === undefined ? {} : body);
export const del = (path) => request('DELETE', path);

// Query string from an object, skipping empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

// Lists may come bare ([...]) or wrapped ({bookings: [...]}) — accept both.
export function list(answer, key) {
  if (Array.isArray(answer)) return answer;
  if (answer && Array.isArray(answer[key])) return answer[key];
  if (answer && typeof answer === 'object') {
    const arr = Object.values(answer).find(Array.isArray);
    if (arr) return arr;
  }
  return [];
}

// Objects may come bare ({id,…}) or wrapped ({booking: {…}}).
export function one(answer, key) {
  if (answer && typeof answer === 'object' && answer[key] && typeof answer[key] === 'object') {
    return answer[key];
  }
  return answer;
}
