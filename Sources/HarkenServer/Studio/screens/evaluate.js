// Evaluate: run a model over a held-out split, then move the cutoff and see FRR, false accepts
// per hour and near-miss accepts (each with its 95 % interval), the DET curve, and every error.
import { api, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions, debounce, svg } from '../dom.js';
import { chart } from '../plot.js';
import { playClip } from '../audio.js';
import { jobPanel, latestJob, ACTIVE } from '../jobs.js';
import { refreshProject } from '../project.js';

const LIST_LIMIT = 200;
let root, els = {}, panel, evaluations = [], op = null, seq = 0, traceFor = null;

function mount(r) {
  root = r;
  els.model = h('select#eval-model');
  // train: the split whose findings may be mined into training (test findings never are).
  els.split = h('select#eval-split', h('option', { value: 'validation' }, 'validation'), h('option', { value: 'test' }, 'test'),
    h('option', { value: 'train' }, 'train (to mine)'));
  els.start = h('button#eval-start', { type: 'button' }, 'Evaluate');
  panel = jobPanel('eval', { hooks: { onDone: (job) => loadEvaluations(job).catch(() => {}) } });
  els.start.addEventListener('click', guard(async () => {
    if (!els.model.value) throw new Error('Choose a model to evaluate (train one or import a .tflite first).');
    const options = { model: els.model.value, split: els.split.value };
    const w = parseInt(els.window.value, 10), r = parseInt(els.refractory.value, 10);
    if (w > 0) options.window = w;
    if (r >= 0) options.refractory_ms = r;
    await panel.start('evaluate', options);
    // A job that ended before its live socket opened sends no change: pick up its evaluation now.
    if (!ACTIVE.has(panel.job.state)) await loadEvaluations(panel.job);
  }));

  els.select = h('select#eval-select');
  els.select.addEventListener('change', guard(() => openEvaluation(els.select.value, true)));
  els.slider = h('input#cutoff-slider', { type: 'range', min: '0.01', max: '0.999', step: '0.001', value: '0.5' });
  els.cutoff = h('span#cutoff-value.mono', '–');
  els.window = h('input#window-input', { type: 'number', min: 1, step: 1, title: 'frames averaged before the cutoff applies' });
  els.refractory = h('input#refractory-input', { type: 'number', min: 0, step: 10, title: 'ms after a detection during which no other one counts' });
  const refetch = debounce(guard(fetchPoint), 50);
  els.slider.addEventListener('input', () => { els.cutoff.textContent = (+els.slider.value).toFixed(3); refetch(); });
  els.window.addEventListener('input', refetch);
  els.refractory.addEventListener('input', refetch);

  const figure = (id, label) => h('div.stat', h(`div#${id}.v`, '–'), h('div.k', label), h(`div#${id}-ci.ci`, ''));
  els.saveOp = h('button#save-operating-point', { type: 'button', onclick: guard(saveOperatingPoint) }, 'Save operating point to model');
  els.saved = h('div#operating-point-status.notice');
  els.condition = h('div#eval-condition.muted');
  els.det = svg('det-plot');
  els.faList = h('div.scroll');
  els.frList = h('div.scroll');
  els.trace = svg('score-trace');
  els.traceTitle = h('span.hint', 'choose “trace” on an error below');

  clear(root,
    h('h1', 'Evaluate'),
    h('p.lede', 'False rejects on held-out voices, false accepts per hour of background, near misses, at the cutoff you choose.'),
    h('div.cards',
      h('div.card.wide', h('h2', 'New evaluation'),
        h('div.form-row', h('label.field', h('span', 'Model'), els.model), h('label.field', h('span', 'Split'), els.split), els.start),
        panel.el),
      h('div.card.wide', h('h2', 'Operating point'),
        h('div.form-row',
          h('label.field.grow', h('span', 'Evaluation'), els.select),
          h('label.field', h('span', 'Window (frames)'), els.window),
          h('label.field', h('span', 'Refractory (ms)'), els.refractory)),
        h('div.form-row', h('label.field.grow', h('span', h('span', 'Cutoff '), els.cutoff), els.slider)),
        h('div.stat-row', figure('frr-value', 'false rejects'), figure('fa-value', 'false accepts per hour'), figure('nearmiss-value', 'near misses accepted'),
          h('div.spacer'), h('div', els.saveOp, els.saved)),
        els.condition),
      h('div.card', h('h2', 'DET curve', h('span.hint', 'click the curve to move the cutoff')), els.det),
      h('div.card', h('h2', 'Score trace', els.traceTitle), els.trace),
      h('div.card', h('h2', 'False accepts', h('span.hint', 'background audio the model woke on')), els.faList),
      h('div.card', h('h2', 'False rejects', h('span.hint', 'phrases the model missed')), els.frList)));
  drawDet();
  drawTrace(null);
}

const rateCi = (r, pct) => {
  if (!r) return '';
  const f = pct ? (x) => (x * 100).toFixed(1) : (x) => x.toFixed(2);
  const of = pct ? `${fmt.int(r.count)} of ${fmt.int(r.of)}` : `${fmt.int(r.count)} in ${fmt.fixed(r.of, 2)} h`;
  return `95 % CI ${f(r.low)}–${f(r.high)}${pct ? ' %' : ''} · ${of}`;
};

function renderPoint() {
  const frr = document.getElementById('frr-value');
  frr.textContent = fmt.pct(op.frr?.value);
  frr.setAttribute('data-cutoff', String(op.cutoff));
  document.getElementById('frr-value-ci').textContent = rateCi(op.frr, true);
  document.getElementById('fa-value').textContent = fmt.fixed(op.fa_per_hour?.value, 2);
  document.getElementById('fa-value-ci').textContent = rateCi(op.fa_per_hour, false);
  document.getElementById('nearmiss-value').textContent = fmt.pct(op.near_miss?.value);
  document.getElementById('nearmiss-value-ci').textContent = rateCi(op.near_miss, true);
  els.condition.textContent = `${op.model} on the ${op.split} split · cutoff ${op.cutoff} · window ${op.window} frames · refractory ${op.refractory_ms} ms · ${op.step_ms} ms per score`;
  drawDet();

  const faRows = (op.false_accepts || []).slice(0, LIST_LIMIT).map((fa) => h('tr', { 'data-id': fa.id },
    h('td', button('play', '▶', () => playClip(fa.clip, fa.time_s - 1.5, fa.time_s + 0.5))),
    h('td', button('show-trace', 'trace', () => showTrace({ clip: fa.clip, time: fa.time_s, from: Math.max(0, fa.time_s - 4), to: fa.time_s + 2, label: 'false accept' }))),
    h('td.clip-path', { title: fa.clip }, fa.clip), h('td.num', fmt.seconds(fa.time_s)), h('td.num', fmt.fixed(fa.mean_probability, 3))));
  clear(els.faList, h('table#fa-list.grid',
    h('thead', h('tr', h('th', ''), h('th', ''), h('th', 'clip'), h('th.num', 'at'), h('th.num', 'mean score'))),
    h('tbody', faRows.length ? faRows : h('tr', h('td', { colspan: 5, class: 'muted' }, 'No false accepts at this cutoff.')))),
  more(op.false_accepts));

  const frRows = (op.false_rejects || []).slice(0, LIST_LIMIT).map((fr) => h('tr', { 'data-id': fr.id },
    h('td', button('play', '▶', () => playClip(fr.clip))),
    h('td', button('show-trace', 'trace', () => showTrace({ clip: fr.clip, peak: fr.peak, label: 'false reject' }))),
    h('td.clip-path', { title: fr.clip }, fr.clip), h('td.num', fmt.fixed(fr.peak, 3))));
  clear(els.frList, h('table#fr-list.grid',
    h('thead', h('tr', h('th', ''), h('th', ''), h('th', 'clip'), h('th.num', 'peak score'))),
    h('tbody', frRows.length ? frRows : h('tr', h('td', { colspan: 4, class: 'muted' }, 'No false rejects at this cutoff.')))),
  more(op.false_rejects));
  if (traceFor) drawTrace(traceFor);
}

const more = (list) => (list && list.length > LIST_LIMIT ? h('div.muted', `First ${LIST_LIMIT} of ${fmt.int(list.length)} shown.`) : null);

function button(cls, text, fn) {
  const b = h(`button.${cls}.secondary`, { type: 'button' }, text);
  b.addEventListener('click', guard(fn));
  return b;
}

function drawDet() {
  const det = op?.det || [];
  const pts = det.map((d) => [d.false_accepts_per_hour, d.false_reject_rate, d]);
  chart(els.det, {
    x: { label: 'false accepts per hour (log)', log: true, floor: 0.01 },
    y: { label: 'false reject rate (log)', log: true, floor: 0.001, format: (v) => `${+(v * 100).toPrecision(2)} %` },
    series: [{ name: 'DET', points: pts.map((p) => [Math.max(p[0], 0.01), Math.max(p[1], 0.001), p[2]]) }],
    markers: op ? [{ x: Math.max(op.fa_per_hour.value, 0.01), y: Math.max(op.frr.value, 0.001), label: `cutoff ${op.cutoff}` }] : [],
    onPick: (se, i) => {
      const c = se.points[i][2].cutoff;
      els.slider.value = String(c);
      els.cutoff.textContent = (+c).toFixed(3);
      guard(fetchPoint)();
    },
    empty: 'Choose or run an evaluation',
  });
}

async function showTrace(t) {
  const tr = await api(`/evaluations/${encodeURIComponent(op.evaluation)}/trace`, {
    params: { clip: t.clip, from_s: t.from !== undefined ? t.from.toFixed(3) : undefined, to_s: t.to !== undefined ? t.to.toFixed(3) : undefined },
  });
  traceFor = { ...t, trace: tr };
  els.traceTitle.textContent = `${t.label}: ${t.clip}`;
  drawTrace(traceFor);
}

function drawTrace(t) {
  const series = [], vlines = [], markers = [];
  if (t) {
    const { trace } = t;
    const at = (i) => trace.start_s + (i * trace.step_ms) / 1000;
    series.push({ name: 'score', points: trace.probabilities.map((p, i) => [at(i), p]), color: '#93c5fd', width: 1.2 });
    series.push({ name: `mean over ${op ? op.window : '?'} frames`, points: trace.means.map((p, i) => [at(i), p]), color: '#2563eb' });
    if (t.time !== undefined) vlines.push({ x: t.time, label: 'false accept', color: '#d97706' });
    if (t.peak !== undefined && trace.means.length) {
      let best = 0;
      trace.means.forEach((m, i) => { if (m > trace.means[best]) best = i; });
      markers.push({ x: at(best), y: trace.means[best], label: `peak ${fmt.fixed(trace.means[best], 3)}`, color: '#d97706' });
    }
  }
  chart(els.trace, {
    x: { label: 'time (s)', tight: true }, y: { label: 'probability', min: 0, max: 1 },
    series, vlines, markers,
    hlines: op ? [{ y: +els.slider.value || op.cutoff, label: `cutoff ${(+els.slider.value || op.cutoff).toFixed(3)}` }] : [],
    empty: 'No trace shown',
  });
  els.trace.setAttribute('data-clip', t ? t.clip : '');
}

async function fetchPoint() {
  const id = els.select.value;
  if (!id) return;
  const mine = ++seq;
  const params = { cutoff: (+els.slider.value).toFixed(3) };
  if (els.window.value) params.window = parseInt(els.window.value, 10);
  if (els.refractory.value !== '') params.refractory_ms = parseInt(els.refractory.value, 10);
  const next = await api(`/evaluations/${encodeURIComponent(id)}`, { params });
  // Slider drags fire many requests: only the newest answer may paint.
  if (mine !== seq) return;
  op = next;
  renderPoint();
}

async function openEvaluation(id, fresh) {
  if (!id) { op = null; renderEmpty(); return; }
  const mine = ++seq;
  // The first look uses the model's own operating point; the controls then start from it.
  const next = await api(`/evaluations/${encodeURIComponent(id)}`);
  if (mine !== seq) return;
  op = next;
  if (fresh) traceFor = null;
  els.slider.value = String(op.cutoff);
  els.cutoff.textContent = (+op.cutoff).toFixed(3);
  els.window.value = op.window;
  els.refractory.value = op.refractory_ms;
  renderPoint();
}

function renderEmpty() {
  for (const id of ['frr-value', 'fa-value', 'nearmiss-value']) {
    document.getElementById(id).textContent = '–';
    document.getElementById(`${id}-ci`).textContent = '';
  }
  clear(els.faList); clear(els.frList);
  els.condition.textContent = 'No evaluation yet: run one above.';
  drawDet(); drawTrace(null);
}

async function saveOperatingPoint() {
  if (!op) return;
  const cutoff = +(+els.slider.value).toFixed(3), window = parseInt(els.window.value, 10) || op.window;
  const reply = await api(`/evaluations/${encodeURIComponent(op.evaluation)}/operating-point`, { method: 'POST', body: { cutoff, window } });
  // The contract answers the Model itself; tolerate it wrapped as {model: Model} too.
  const model = reply.model && typeof reply.model === 'object' ? reply.model : reply;
  els.saved.textContent = `Saved to ${model.name}: cutoff ${model.cutoff}, window ${model.window} frames.`;
  refreshProject({ quiet: true }).catch(() => {});
}

async function loadEvaluations(job) {
  ({ evaluations } = await api('/evaluations'));
  evaluations.sort((a, b) => String(b.created).localeCompare(String(a.created)));
  const wanted = job?.output ? job.output.replace(/\/+$/, '').split('/').pop() : undefined;
  const before = els.select.value;
  setOptions(els.select, evaluations, {
    key: (e) => e.id,
    label: (e) => `${e.model} · ${e.split} · ${fmt.date(e.created)} · ${fmt.int(e.positives)} phrases, ${fmt.fixed(e.negative_hours, 1)} h background`,
    value: wanted && evaluations.some((e) => e.id === wanted) ? wanted : before || evaluations[0]?.id,
  });
  if (els.select.value !== before || !op) await openEvaluation(els.select.value, true);
}

async function loadModels() {
  const { models } = await api('/models');
  setOptions(els.model, models, { key: (m) => m.name, label: (m) => `${m.name} (${m.kind === 'tflite' ? 'int8 .tflite' : 'run'})` });
}

async function show() {
  await Promise.allSettled([
    loadModels(),
    loadEvaluations(),
    latestJob('evaluate').then((j) => { if (j && (!panel.job || panel.job.id !== j.id)) return panel.attach(j); }),
  ]);
  ready(root);
}

export default { mount, show, hide() {} };
