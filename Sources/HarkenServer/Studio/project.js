// The project summary (phrase, preset, step states) shared by the sidebar and the screens.
import { api } from './client.js';

let current = null;
const subscribers = new Set();
let inflight = null;

export const project = () => current;

export function onProject(fn) {
  subscribers.add(fn);
  if (current) fn(current);
  return () => subscribers.delete(fn);
}

/** Re-reads GET /project; concurrent callers share one request. */
export function refreshProject({ quiet = false } = {}) {
  if (!inflight) {
    inflight = api('/project', { quiet })
      .then((p) => { current = p; for (const fn of subscribers) fn(p); return p; })
      .finally(() => { inflight = null; });
  }
  return inflight;
}

export async function updateProject(changes) {
  const body = { phrase: current?.phrase ?? '', preset: current?.preset ?? '', ...changes };
  current = await api('/project', { method: 'PUT', body });
  for (const fn of subscribers) fn(current);
  return current;
}
