// Deploy: what a model costs on a board (per layer, before anything is flashed), the files to
// take away, and a benchmark on a board over a serial port.
import { api, apiUrl, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions } from '../dom.js';
import { jobPanel, latestJob } from '../jobs.js';

const FORMATS = [
  ['tflite', 'int8 .tflite', 'the quantized model'],
  ['esphome', 'micro_wake_word folder', 'the int8 model with its manifest, as microWakeWord firmware loads it'],
  ['onnx', 'ONNX', 'the float model'],
  ['c', 'C source', 'plain C, no interpreter: model, frontend and detector'],
  ['firmware', 'Firmware', 'a project for the chosen board'],
];
let root, els = {}, panel, models = [], targets = [], seq = 0, costShown = false;

function mount(r) {
  root = r;
  els.model = h('select#deploy-model');
  els.target = h('select#deploy-target');
  els.model.addEventListener('change', guard(update));
  els.target.addEventListener('change', guard(update));
  els.fit = h('div#deploy-fit');
  els.summary = h('div.stat-row#cost-summary');
  els.cost = h('div.scroll', { style: 'max-height:460px' });
  els.links = h('ul.downloads', FORMATS.map(([f, label, hint]) => h('li',
    h(`a#dl-${f}`, { href: '#', download: '' }, label), ' ', h('span.muted', hint))));
  els.port = h('select#bench-port');
  els.refreshPorts = h('button.secondary.small#bench-ports-refresh', { type: 'button', onclick: guard(loadPorts) }, 'Rescan');
  els.bench = h('button#bench-start', { type: 'button', onclick: guard(bench) }, 'Run benchmark on board');
  panel = jobPanel('bench');

  clear(root,
    h('h1', 'Deploy'),
    h('p.lede', 'Cycles, time, RAM and flash per layer on the chosen board, measured by Harken\'s cost model, then the files to build with.'),
    h('div.cards',
      h('div.card.wide',
        h('div.form-row', h('label.field', h('span', 'Model'), els.model), h('label.field', h('span', 'Board'), els.target)),
        els.summary, els.fit),
      h('div.card.wide', h('h2', 'Cost per layer'), els.cost),
      h('div.card', h('h2', 'Downloads', h('span.hint', 'zip archives, built on demand')), els.links),
      h('div.card', h('h2', 'Benchmark on a board'),
        h('div.form-row', h('label.field', h('span', 'Serial port'), els.port), els.refreshPorts, els.bench),
        panel.el)));
}

function currentTarget() { return targets.find((t) => t.name === els.target.value); }

function fitRow(label, used, budget) {
  const share = budget ? used / budget : 0;
  return h('div.fit', h('span.muted', label),
    h(`div.bar${share > 1 ? '.over' : ''}`, h('span', { style: `width:${Math.min(100, share * 100).toFixed(1)}%` })),
    h('span', `${fmt.bytes(used)} of ${fmt.bytes(budget)} (${(share * 100).toFixed(1)} %)`));
}

function renderCost(c) {
  const t = currentTarget();
  const ram = (c.arena_bytes || 0) + (c.state_bytes || 0);
  const stat = (id, v, k) => h('div.stat', h(`div#${id}.v`, v), h('div.k', k));
  clear(els.summary,
    stat('cost-cycles', fmt.int(c.total_cycles), 'cycles per inference'),
    stat('cost-time', fmt.micros(c.total_microseconds), `per inference at ${fmt.hz(c.clock_hz)}`),
    stat('cost-ram', fmt.bytes(ram), 'RAM (arena + state)'),
    stat('cost-flash', fmt.bytes(c.weight_bytes), 'flash (weights)'),
    stat('cost-macs', fmt.int(c.macs), 'MACs'));
  clear(els.fit, t ? [fitRow('RAM', ram, t.ram_bytes), fitRow('Flash', c.weight_bytes || 0, t.flash_bytes)] : null);

  const measured = c.layers.some((l) => typeof l.measured_cycles === 'number');
  const total = c.total_cycles || c.layers.reduce((a, l) => a + l.cycles, 0) || 1;
  const rows = c.layers.map((l) => h(`tr${l.index === c.dominant_layer ? '.selected' : ''}`, { 'data-index': l.index },
    h('td.num', l.index), h('td', h('div', l.op), h('div.muted.mono', l.kernel)),
    h('td.num', fmt.int(l.macs)), h('td.num', fmt.int(l.cycles)),
    measured ? h('td.num', typeof l.measured_cycles === 'number' ? fmt.int(l.measured_cycles) : '–') : null,
    h('td.num', fmt.micros(l.microseconds)),
    h('td', h('div.bar', { title: `${((l.cycles / total) * 100).toFixed(1)} % of cycles` }, h('span', { style: `width:${((l.cycles / total) * 100).toFixed(1)}%` }))),
    h('td.num', typeof l.ram_bytes === 'number' ? fmt.bytes(l.ram_bytes) : '–'),
    h('td.num', typeof l.flash_bytes === 'number' ? fmt.bytes(l.flash_bytes) : '–')));
  const totals = h('tr.total',
    h('td'), h('td', 'total'), h('td.num', fmt.int(c.macs)), h('td.num', fmt.int(c.total_cycles)),
    measured ? h('td.num', fmt.int(c.measured_total_cycles)) : null,
    h('td.num', fmt.micros(c.total_microseconds)), h('td'),
    h('td.num', { title: `arena ${fmt.bytes(c.arena_bytes)} + state ${fmt.bytes(c.state_bytes)}` }, fmt.bytes(ram)),
    h('td.num', fmt.bytes(c.weight_bytes)));
  clear(els.cost, h('table#cost-table.grid',
    h('thead', h('tr', h('th.num', '#'), h('th', 'layer / kernel'), h('th.num', 'MACs'), h('th.num', 'cycles'),
      measured ? h('th.num', 'measured') : null, h('th.num', 'time'), h('th', 'share'), h('th.num', 'RAM'), h('th.num', 'flash'))),
    h('tbody', rows, totals)),
  h('p.muted', `Target ${c.target}; RAM is the tensor arena shared by all layers plus the streaming state, flash the int8 weights.`));
}

function renderLinks() {
  const m = els.model.value, board = els.target.value;
  for (const [f] of FORMATS) {
    const a = document.getElementById(`dl-${f}`);
    if (!m) { a.removeAttribute('href'); continue; }
    a.href = apiUrl(`/api/v1/models/${encodeURIComponent(m)}/download/${f}`, f === 'firmware' ? { board } : {});
  }
}

async function update() {
  renderLinks();
  const m = els.model.value, t = els.target.value;
  if (!m || !t) { clear(els.cost, h('p.muted', 'Choose a model and a board.')); return; }
  const mine = ++seq;
  clear(els.cost, h('p.muted', 'Costing…'));
  const cost = await api(`/models/${encodeURIComponent(m)}/cost`, { params: { target: t } }).catch((e) => {
    if (mine === seq) clear(els.cost, h('p.muted', 'No cost for this model on this board (see the message above).'));
    throw e;
  });
  if (mine === seq) { renderCost(cost); costShown = true; }
}

// Not every board has calibrated cost coefficients for every kernel: on first look, start on the
// first board that can cost this model rather than on an error. A user's choice is kept after that.
async function pickCostableTarget() {
  const m = els.model.value;
  if (!m) return;
  for (const t of targets) {
    try {
      await api(`/models/${encodeURIComponent(m)}/cost`, { params: { target: t.name }, quiet: true });
      els.target.value = t.name;
      return;
    } catch (_) { /* try the next board; update() reports the chosen one's error if none works */ }
  }
}

async function loadPorts() {
  const { ports } = await api('/serial-ports');
  setOptions(els.port, ports, { empty: ports.length ? undefined : 'no serial port found' });
  els.bench.disabled = !ports.length;
}

async function bench() {
  if (!els.port.value) throw new Error('Connect a board: no serial port is chosen.');
  await panel.start('bench', { model: els.model.value, port: els.port.value, board: els.target.value });
}

async function show() {
  await Promise.allSettled([
    api('/models').then((r) => { models = r.models; setOptions(els.model, models, { key: (m) => m.name, label: (m) => `${m.name}${m.int8 ? ' (int8)' : ''}` }); }),
    api('/targets').then((r) => {
      targets = r.targets;
      setOptions(els.target, targets, { key: (t) => t.name, label: (t) => `${t.name} · ${t.core} ${fmt.hz(t.clock_hz)} · ${fmt.bytes(t.ram_bytes)} RAM` });
    }),
    loadPorts(),
    latestJob('bench').then((j) => { if (j && (!panel.job || panel.job.id !== j.id)) return panel.attach(j); }),
  ]);
  if (!costShown) await pickCostableTarget();
  await update().catch(() => {});
  ready(root);
}

export default { mount, show, hide() {} };
