// Train: start a run, follow it live (any tab attaches to the same job), and the expert settings.
import { api, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions, svg } from '../dom.js';
import { chart } from '../plot.js';
import { jobPanel, latestJob, ACTIVE } from '../jobs.js';
import { project, refreshProject, updateProject } from '../project.js';

let root, els = {}, panel, epochs = new Map(), drawPending = false, config = null;

function slug(s) {
  return (s || 'run').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'run';
}

function defaultRunName() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${slug(project()?.phrase)}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

function mount(r) {
  root = r;
  els.preset = h('select#preset-select');
  els.preset.addEventListener('change', () => updateProject({ preset: els.preset.value }).catch(() => {}));
  els.epochs = h('input#epochs-input', { type: 'number', min: 1, step: 1, placeholder: 'preset' });
  els.name = h('input#run-name', { type: 'text', size: 28, spellcheck: false });
  els.start = h('button#train-start', { type: 'submit' }, 'Start training');
  const form = h('form#train-form',
    h('div.form-row',
      h('label.field', h('span', 'Preset'), els.preset),
      h('label.field', h('span', 'Epochs'), els.epochs),
      h('label.field.grow', h('span', 'Run name (folder under runs/)'), els.name),
      els.start));
  form.addEventListener('submit', guard(async (ev) => {
    ev.preventDefault();
    const options = { name: els.name.value.trim() || defaultRunName(), preset: els.preset.value };
    const n = parseInt(els.epochs.value, 10);
    if (n > 0) options.epochs = n;
    epochs = new Map();
    drawCurves();
    for (const id of ['tele-cpu', 'tele-rss', 'tele-sps', 'tele-eta']) document.getElementById(id).textContent = '–';
    els.curvesOf.textContent = `run ${options.name}`;
    await panel.start('train', options);
    if (!ACTIVE.has(panel.job.state)) await loadRunMetrics(panel.job).catch(() => {});
    els.name.value = defaultRunName();
  }));

  panel = jobPanel('job', {
    hooks: {
      onEpoch: addEpoch,
      onTelemetry: renderTelemetry,
      onState: (job) => { els.start.disabled = !!job && ACTIVE.has(job.state); },
      onDone: (job) => loadRunMetrics(job).catch(() => {}),
    },
  });
  const tele = (id, label) => h('span', h('span.k', label), h(`span#${id}`, '–'));
  els.telemetry = h('div.telemetry', tele('tele-cpu', 'CPU'), tele('tele-rss', 'Memory'), tele('tele-sps', 'Speed'), tele('tele-eta', 'Remaining'));

  els.loss = svg('curve-loss');
  els.frr = svg('curve-frr');
  els.fa = svg('curve-fa');
  els.curvesOf = h('span#curves-of.hint', '');

  els.expert = h('div#expert-panel');
  els.configNote = h('div#config-status.notice');
  els.save = h('button#config-save', { type: 'button', onclick: guard(saveConfig) }, 'Save to harken.yaml');

  clear(root,
    h('h1', 'Train'),
    h('p.lede', 'Trains a streaming Sentry on the corpus, your recordings, noise and rooms; validation FRR and false accepts per hour after every epoch.'),
    h('div.cards',
      h('div.card.wide', h('h2', 'New run'), form, panel.el, els.telemetry),
      h('div.card.wide', h('h2', 'Curves', els.curvesOf),
        h('div.three',
          h('div', h('h3', 'Loss ', h('span.muted', 'training and validation')), els.loss),
          h('div', h('h3', 'Validation false rejects'), els.frr),
          h('div', h('h3', 'Validation false accepts ', h('span.muted', 'per hour of background')), els.fa))),
      h('div.card.wide', h('details.expert', { open: false },
        h('summary', 'Expert settings (harken.yaml)'),
        h('p.muted', 'Every training setting with its default and range. Changed values are saved to harken.yaml, which the CLI reads too.'),
        els.expert, h('div.toolbar', els.save, els.configNote)))));
  drawCurves();
}

function addEpoch(e) {
  epochs.set(e.epoch, e);
  if (!drawPending) {
    drawPending = true;
    requestAnimationFrame(() => { drawPending = false; drawCurves(); });
    // Hidden tabs get no animation frames; draw anyway so the curves are current on return.
    setTimeout(() => { if (drawPending) { drawPending = false; drawCurves(); } }, 200);
  }
}

function drawCurves() {
  const list = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const pts = (key) => list.filter((e) => typeof e[key] === 'number').map((e) => [e.epoch, e[key]]);
  const x = { label: 'epoch', tight: true, integer: true, min: list.length ? Math.min(1, list[0].epoch) : 0 };
  const none = list.length ? 'Not reported by this run' : 'No epochs yet';
  chart(els.loss, { x, y: { label: 'loss' }, series: [{ name: 'training', points: pts('loss'), mode: 'line' }, { name: 'validation', points: pts('validation_loss'), mode: 'line' }], empty: 'No epochs yet' });
  chart(els.frr, { x, y: { label: 'FRR', min: 0, format: (v) => `${+(v * 100).toPrecision(3)} %` }, series: [{ name: 'validation FRR', points: pts('validation_frr'), color: '#dc2626', mode: 'line' }], empty: none });
  chart(els.fa, { x, y: { label: 'FA per hour', min: 0 }, series: [{ name: 'validation FA/h', points: pts('validation_fa_per_hour'), color: '#d97706', mode: 'line' }], empty: none });
  for (const svg of [els.loss, els.frr, els.fa]) svg.setAttribute('data-points', String(list.length));
  const last = list[list.length - 1];
  if (last && panel.job && ACTIVE.has(panel.job.state) && typeof last.samples_per_second === 'number') {
    document.getElementById('tele-sps').textContent = `${fmt.int(last.samples_per_second)} samples/s`;
  }
}

function renderTelemetry(t) {
  // The last sample after a job ends reads as zeros; keep the figures it ran with.
  if (!panel.job || !ACTIVE.has(panel.job.state)) return;
  const set = (id, v) => { document.getElementById(id).textContent = v; };
  if (typeof t.cpu_percent === 'number') set('tele-cpu', `${t.cpu_percent.toFixed(0)} %`);
  if (typeof t.rss_bytes === 'number') set('tele-rss', fmt.bytes(t.rss_bytes));
  if (typeof t.samples_per_second === 'number') set('tele-sps', `${fmt.int(t.samples_per_second)} samples/s`);
  if (typeof t.eta_s === 'number') set('tele-eta', fmt.seconds(t.eta_s));
  else if (t.eta_s === null) set('tele-eta', 'estimating…');
}

function runName(job) {
  return job.options?.name || (job.output ? job.output.replace(/\/+$/, '').split('/').pop() : null);
}

async function loadRunMetrics(job) {
  const name = runName(job);
  if (!name) return;
  els.curvesOf.textContent = `run ${name}`;
  const { epochs: list } = await api(`/runs/${encodeURIComponent(name)}/metrics`, { quiet: true });
  for (const e of list) epochs.set(e.epoch, e);
  drawCurves();
}

async function attach(job) {
  const same = panel.job && panel.job.id === job.id;
  if (!same) {
    epochs = new Map();
    els.curvesOf.textContent = runName(job) ? `run ${runName(job)}` : '';
    drawCurves();
    for (const id of ['tele-cpu', 'tele-rss', 'tele-sps', 'tele-eta']) document.getElementById(id).textContent = '–';
  }
  await panel.attach(job);
  // A finished job sends nothing live: its curves come from the run's metrics.jsonl.
  if (!ACTIVE.has(job.state)) await loadRunMetrics(job).catch(() => {});
}

// ---- expert panel
function inputFor(k) {
  const id = `cfg-${k.key}`;
  let input;
  if (k.type === 'bool') {
    input = h('input', { type: 'checkbox' });
    input.checked = !!k.value;
  } else if (Array.isArray(k.choices) && k.choices.length) {
    input = h('select', k.choices.map((c) => h('option', { value: String(c) }, String(c))));
    input.value = String(k.value ?? k.default ?? '');
  } else if (k.type === 'int' || k.type === 'number') {
    input = h('input', { type: 'number', step: k.type === 'int' ? '1' : 'any' });
    if (k.min !== undefined && k.min !== null) input.min = String(k.min);
    if (k.max !== undefined && k.max !== null) input.max = String(k.max);
    input.value = k.value ?? '';
  } else {
    input = h('input', { type: 'text', size: 24 });
    input.value = k.value ?? '';
  }
  input.id = id;
  input.dataset.key = k.key;
  input.name = k.key;
  return input;
}

function readInput(input, k) {
  if (k.type === 'bool') return input.checked;
  if (k.type === 'int') return input.value === '' ? null : parseInt(input.value, 10);
  if (k.type === 'number') return input.value === '' ? null : parseFloat(input.value);
  return input.value;
}

function renderConfig(schema) {
  config = schema;
  const groups = (schema.groups || []).map((g) => h('fieldset.config-group', { 'data-group': g.name },
    h('legend', g.name),
    g.keys.map((k) => {
      const input = inputFor(k);
      const range = k.min !== undefined && k.min !== null || k.max !== undefined && k.max !== null
        ? ` · range ${k.min ?? '−∞'} … ${k.max ?? '∞'}` : '';
      const choices = Array.isArray(k.choices) && k.choices.length ? ` · one of ${k.choices.join(', ')}` : '';
      const row = h('div.config-key', { 'data-key': k.key },
        h('label.key', { for: input.id, title: k.help || '' }, k.key), input,
        h('div.meta', h('span.default', `default ${JSON.stringify(k.default)}`), range, choices, k.help ? h('div', k.help) : null));
      const mark = () => row.classList.toggle('changed', JSON.stringify(readInput(input, k)) !== JSON.stringify(k.value));
      input.addEventListener('input', mark);
      input.addEventListener('change', mark);
      return row;
    })));
  clear(els.expert, h('div.muted', `File: ${schema.file || 'harken.yaml'}`), groups);
}

async function saveConfig() {
  if (!config) return;
  const values = {};
  for (const g of config.groups || []) {
    for (const k of g.keys) {
      const input = els.expert.querySelector(`[data-key="${CSS.escape(k.key)}"]:is(input, select)`);
      if (!input) continue;
      const v = readInput(input, k);
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
      if (JSON.stringify(v) !== JSON.stringify(k.value)) values[k.key] = v;
    }
  }
  const n = Object.keys(values).length;
  if (!n) { els.configNote.textContent = 'Nothing changed.'; return; }
  renderConfig(await api('/config', { method: 'PUT', body: { values } }));
  els.configNote.textContent = `Saved ${n} setting${n === 1 ? '' : 's'} to ${config.file || 'harken.yaml'}.`;
  refreshProject({ quiet: true }).catch(() => {});
}

async function show() {
  const p = project() || await refreshProject().catch(() => null);
  if (p) {
    setOptions(els.preset, p.presets || [], { value: els.preset.value || p.preset });
    if (!els.name.value) els.name.value = defaultRunName();
  }
  await Promise.allSettled([
    config ? null : api('/config').then(renderConfig),
    latestJob('train').then(async (j) => {
      if (!j) {
        // No job from this page yet: show the newest run (one the CLI trained, say) so the curves are not empty.
        if (epochs.size) return;
        const { runs } = await api('/runs', { params: { sort: 'modified', order: 'desc', limit: 1 } });
        if (runs[0]) await loadRunMetrics({ options: { name: runs[0].name } }).catch(() => {});
        return;
      }
      if (panel.job && panel.job.id === j.id) return;
      // Keep following a job started from here (e.g. a resumed one) unless a newer one is live.
      if (panel.job && ACTIVE.has(panel.job.state) && !ACTIVE.has(j.state)) return;
      return attach(j);
    }),
  ]);
  ready(root);
}

export default { mount, show, hide() {} };
