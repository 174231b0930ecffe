// Navigation, the error banner and the sidebar's step badges. Screens load on first visit.
import { onError, apiUrl } from './client.js';
import { h, clear } from './dom.js';
import { onProject, refreshProject, updateProject } from './project.js';

const SCREENS = ['data', 'train', 'evaluate', 'mine', 'search', 'deploy', 'listen'];
const loaded = new Map();
let currentName = null;

// ---- error banner: every API error lands here; identical messages are counted, not repeated.
const banner = document.getElementById('error-banner');
const shown = new Map();
function showError(err) {
  const code = err && err.code ? err.code : 'studio.error';
  const text = err && err.message ? err.message : String(err);
  const key = `${code}|${text}`;
  if (shown.has(key)) {
    const entry = shown.get(key);
    entry.count++;
    entry.el.querySelector('.count').textContent = `×${entry.count}`;
    return;
  }
  const el = h('div.banner-item', h('code', code), ' ', h('span.msg', text), ' ', h('span.count'));
  banner.insertBefore(el, banner.querySelector('.banner-close'));
  if (!banner.querySelector('.banner-close')) {
    banner.append(h('button.banner-close', { type: 'button', title: 'Dismiss', onclick: () => { banner.hidden = true; clear(banner); shown.clear(); } }, '×'));
  }
  shown.set(key, { el, count: 1 });
  while (shown.size > 5) {
    const [k, v] = shown.entries().next().value;
    v.el.remove(); shown.delete(k);
  }
  banner.hidden = false;
}
onError(showError);
window.addEventListener('unhandledrejection', (ev) => { if (!ev.reason?.reported && ev.reason?.name !== 'AbortError') showError(ev.reason); });
window.addEventListener('error', (ev) => showError(ev.error || ev.message));

// ---- sidebar: step badges and the project's phrase
function renderProject(p) {
  for (const step of p.steps || []) {
    const link = document.getElementById(`nav-${step.name}`);
    if (!link) continue;
    const badge = link.querySelector('.badge');
    badge.textContent = step.state;
    badge.className = `badge ${step.state}`;
    link.dataset.state = step.state;
    link.title = step.detail || step.state;
  }
  const info = document.getElementById('project-info');
  const input = info.querySelector('#project-phrase');
  if (!input) {
    const phrase = h('input#project-phrase', { type: 'text', value: p.phrase || '', placeholder: 'wake phrase', title: 'The wake phrase this project trains' });
    phrase.addEventListener('change', () => updateProject({ phrase: phrase.value.trim() }).catch(() => { phrase.value = p.phrase || ''; }));
    clear(info, h('label', { for: 'project-phrase' }, 'Phrase'), phrase, h('div#project-root.root', { title: p.root }, h('bdi', p.root || '')));
  } else if (document.activeElement !== input) {
    input.value = p.phrase || '';
    info.querySelector('#project-root bdi').textContent = p.root || '';
  }
}
onProject(renderProject);
document.getElementById('api-doc-link').href = apiUrl('/api/openapi.yaml');

// ---- routing
function route() {
  const m = /^#\/(\w+)/.exec(location.hash);
  return m && SCREENS.includes(m[1]) ? m[1] : 'data';
}

async function show(name) {
  if (currentName && currentName !== name) {
    const prev = loaded.get(currentName);
    document.getElementById(`screen-${currentName}`).hidden = true;
    if (prev && prev.hide) prev.hide();
  }
  currentName = name;
  for (const s of SCREENS) document.getElementById(`nav-${s}`).classList.toggle('active', s === name);
  const root = document.getElementById(`screen-${name}`);
  root.hidden = false;
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · Harken Studio`;
  let screen = loaded.get(name);
  if (!screen) {
    const mod = await import(`./screens/${name}.js`);
    screen = mod.default;
    screen.mount(root);
    loaded.set(name, screen);
  }
  if (currentName === name) screen.show();
}

window.addEventListener('hashchange', () => show(route()).catch(showError));
if (!location.hash) history.replaceState(null, '', `${location.pathname}${location.search}#/data`);
show(route()).catch(showError);

// Step states change under jobs started elsewhere (CLI, another tab): keep the badges fresh.
refreshProject().catch(() => {});
setInterval(() => { if (!document.hidden) refreshProject({ quiet: true }).catch(() => {}); }, 5000);
