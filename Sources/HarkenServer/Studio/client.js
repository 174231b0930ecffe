// The one door to the Harken server: token handling, JSON calls, links and WebSockets.
// (Named client.js, not api.js: the server guards every path starting with /api.)
// Every failure reaches the error banner unless the caller asks to handle it itself.

const TOKEN_KEY = 'harken.studio.token';

// Read once from the page URL, then kept for the tab so a reload or a hash change keeps working.
function initToken() {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return sessionStorage.getItem(TOKEN_KEY) || '';
}
const token = initToken();

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const listeners = new Set();
/** Subscribe to every error the API layer reports (the banner does). */
export function onError(fn) { listeners.add(fn); }
export function reportError(err) {
  if (err && typeof err === 'object') err.reported = true;
  for (const fn of listeners) fn(err);
}

// Built by hand rather than with URLSearchParams, which writes a space as "+": a server reading
// the query as a URI (not a form) would see the "+" itself, and a filter for "two words" would miss.
function query(params) {
  return Object.entries(params || {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** A URL for places that cannot send headers (links, <audio>, downloads): the token rides in the query. */
export function apiUrl(path, params) {
  const s = query({ ...params, token });
  return s ? `${path}?${s}` : path;
}

export function wsUrl(path, params) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${apiUrl(path, params)}`;
}

function headers(extra) {
  const h = Object.assign({}, extra);
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function errorFrom(res) {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    if (body && body.error) return new ApiError(res.status, body.error.code, body.error.message);
  } catch (_) { /* not JSON: fall through to the raw text */ }
  return new ApiError(res.status, `http.${res.status}`, text.trim() || res.statusText || 'request failed');
}

/**
 * fetch() against /api/v1. `body` objects go as JSON, Blobs/ArrayBuffers as bytes.
 * Returns parsed JSON, or the Response when `raw` is set. Throws ApiError (already reported
 * to the banner unless `quiet`).
 */
export async function api(path, { method = 'GET', params, body, raw = false, quiet = false, signal } = {}) {
  const q = query(params);
  const url = `/api/v1${path}${q ? `?${q}` : ''}`;
  const init = { method, headers: headers(), signal };
  if (body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    init.body = body;
    // Audio routes take audio/* or octet-stream; a picked file's type may be empty or something else.
    init.headers['Content-Type'] = body instanceof Blob && body.type.startsWith('audio/') ? body.type : 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    const err = new ApiError(0, 'studio.unreachable', `Cannot reach the Harken server (${method} ${path}): ${e.message}`);
    if (!quiet) reportError(err);
    throw err;
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    err.message = `${method} ${path}: ${err.message}`;
    if (res.status === 401) err.message += ' (open the address harken serve printed, with its ?token=)';
    if (!quiet) reportError(err);
    throw err;
  }
  if (raw) return res;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

/**
 * A WebSocket under /api/v1 with JSON text messages parsed for the caller.
 * Error messages of the form {type:"error", error:{...}} go to the banner too.
 */
export function socket(path, params, { onMessage, onOpen, onClose, binaryType = 'arraybuffer' } = {}) {
  const ws = new WebSocket(wsUrl(`/api/v1${path}`, params));
  ws.binaryType = binaryType;
  ws.onopen = () => onOpen && onOpen(ws);
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') { onMessage && onMessage(ev.data); return; }
    let msg;
    try { msg = JSON.parse(ev.data); } catch (e) {
      reportError(new ApiError(0, 'studio.bad_message', `WebSocket ${path} sent a message that is not JSON: ${ev.data.slice(0, 120)}`));
      return;
    }
    if (msg.type === 'error' && msg.error) reportError(new ApiError(0, msg.error.code, `${path}: ${msg.error.message}`));
    onMessage && onMessage(msg);
  };
  ws.onclose = (ev) => onClose && onClose(ev);
  return ws;
}

/** Calls fn, sending any thrown error that is not an already-reported ApiError to the banner. */
export function guard(fn) {
  return async (...args) => {
    try { return await fn(...args); } catch (e) {
      if (!e || (!e.reported && e.name !== 'AbortError')) reportError(e);
    }
  };
}
