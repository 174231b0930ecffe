// Search: every run in the project, sorted, filtered and paged by the server, with notes and
// tags, and the accuracy trade-off between runs on a scatter plot.
import { api, guard } from '../client.js';
import { h, clear, fmt, ready, debounce, svg } from '../dom.js';
import { chart } from '../plot.js';

const PAGE = 25;
// The keys GET /runs sorts by; other columns are shown but not sortable.
const SORTABLE = new Set(['name', 'modified', 'parameters', 'epochs_done', 'validation_frr', 'validation_fa_per_hour', 'test_frr', 'test_fa_per_hour']);
const COLUMNS = [
  { key: 'name', text: 'run' },
  { key: 'architecture', text: 'architecture' },
  { key: 'parameters', text: 'parameters', num: true, fmt: fmt.int },
  { key: 'epochs_done', text: 'epochs', num: true, fmt: (v, r) => `${fmt.int(v)} / ${fmt.int(r.epochs_total)}` },
  { key: 'state', text: 'state' },
  { key: 'validation_frr', text: 'val FRR', num: true, fmt: (v) => fmt.pct(v) },
  { key: 'validation_fa_per_hour', text: 'val FA/h', num: true, fmt: (v) => fmt.fixed(v, 2) },
  { key: 'test_frr', text: 'test FRR', num: true, fmt: (v) => fmt.pct(v) },
  { key: 'test_fa_per_hour', text: 'test FA/h', num: true, fmt: (v) => fmt.fixed(v, 2) },
  { key: 'cutoff', text: 'cutoff', num: true, fmt: (v) => fmt.fixed(v, 3) },
  { key: 'modified', text: 'modified', fmt: fmt.date },
];
let root, els = {}, q = { sort: 'modified', order: 'desc', filter: '', offset: 0 }, page = null, selected = null, seq = 0;

function mount(r) {
  root = r;
  els.filter = h('input#runs-filter', { type: 'search', placeholder: 'filter by name, tag or note', size: 32 });
  els.filter.addEventListener('input', debounce(guard(() => { q.filter = els.filter.value.trim(); q.offset = 0; return load(); }), 200));
  els.prev = h('button#runs-prev.secondary.small', { type: 'button', onclick: guard(() => { q.offset = Math.max(0, q.offset - PAGE); return load(); }) }, '‹ Prev');
  els.next = h('button#runs-next.secondary.small', { type: 'button', onclick: guard(() => { q.offset += PAGE; return load(); }) }, 'Next ›');
  els.page = h('span#runs-page.muted', '');
  els.table = h('div.scroll', { style: 'max-height:520px' });
  els.xAxis = h('select#pareto-x', h('option', { value: 'fa' }, 'test FA/h'), h('option', { value: 'parameters' }, 'parameters'));
  els.xAxis.addEventListener('change', drawPareto);
  els.pareto = svg('pareto-plot');
  els.details = h('div#run-details.muted', 'Click a point or a run name to see its details.');
  els.curve = svg('run-curve');

  clear(root,
    h('h1', 'Search'),
    h('p.lede', 'Compare runs: accuracy on held-out voices against false accepts per hour or model size.'),
    h('div.cards',
      h('div.card.wide', h('h2', 'Runs'),
        h('div.toolbar', els.filter, h('span.spacer'), els.prev, els.page, els.next),
        els.table),
      h('div.card', h('h2', 'Trade-off', h('span.hint', 'runs on this page; the dashed line joins the Pareto front')),
        h('div.toolbar', h('label.muted', 'x axis ', els.xAxis)), els.pareto),
      h('div.card', h('h2', 'Run details'), els.details, els.curve)));
}

function headerCell(c) {
  if (!SORTABLE.has(c.key)) return h(c.num ? 'th.num' : 'th', c.text);
  const cls = ['sortable', c.num ? 'num' : '', q.sort === c.key ? `sorted-${q.order}` : ''].filter(Boolean).join(' ');
  const th = h('th', { class: cls, 'data-sort': c.key, title: 'Sort' }, c.text);
  th.addEventListener('click', guard(() => {
    if (q.sort === c.key) q.order = q.order === 'asc' ? 'desc' : 'asc';
    // Dates read best newest first; names and error rates lowest first.
    else { q.sort = c.key; q.order = c.key === 'modified' ? 'desc' : 'asc'; }
    q.offset = 0;
    return load();
  }));
  return th;
}

function editable(run, field) {
  const value = field === 'tags' ? (run.tags || []).join(', ') : run.notes || '';
  const input = h(`input.${field}-input`, { type: 'text', value, placeholder: field === 'tags' ? 'tags, comma separated' : 'notes' });
  input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') input.blur(); });
  input.addEventListener('blur', guard(async () => {
    const notes = field === 'notes' ? input.value : run.notes || '';
    const tags = field === 'tags' ? input.value.split(',').map((t) => t.trim()).filter(Boolean) : run.tags || [];
    if (notes === (run.notes || '') && JSON.stringify(tags) === JSON.stringify(run.tags || [])) return;
    const reply = await api(`/runs/${encodeURIComponent(run.name)}/notes`, { method: 'PUT', body: { notes, tags } });
    // The contract answers the Run itself; tolerate it wrapped as {run: Run} too.
    Object.assign(run, { notes, tags }, reply.run || reply);
    input.classList.add('saved');
    setTimeout(() => input.classList.remove('saved'), 1200);
  }));
  return input;
}

function renderTable() {
  const rows = page.runs.map((run) => {
    const name = h('a.run-link', { href: `#/search`, onclick: (ev) => { ev.preventDefault(); guard(openRun)(run); } }, run.name);
    return h(`tr${selected === run.name ? '.selected' : ''}`, { 'data-name': run.name },
      COLUMNS.map((c) => (c.key === 'name' ? h('td', name)
        : h(`td${c.num ? '.num' : ''}`, c.fmt ? c.fmt(run[c.key], run) : run[c.key] ?? '–'))),
      h('td.notes', editable(run, 'notes')), h('td.tags', editable(run, 'tags')));
  });
  clear(els.table, h('table#runs-table.grid',
    h('thead', h('tr', COLUMNS.map(headerCell), h('th', 'notes'), h('th', 'tags'))),
    h('tbody', rows.length ? rows : h('tr', h('td', { colspan: COLUMNS.length + 2, class: 'muted' }, q.filter ? 'No run matches the filter.' : 'No runs yet: train one.')))));
  const pages = Math.max(1, Math.ceil(page.total / PAGE));
  const at = Math.floor(page.offset / PAGE) + 1;
  els.page.textContent = `Page ${at} of ${pages} · ${fmt.count(page.total, 'run')}`;
  els.page.dataset.page = String(at);
  els.page.dataset.pages = String(pages);
  els.prev.disabled = page.offset <= 0;
  els.next.disabled = page.offset + page.runs.length >= page.total;
}

function paretoFront(points) {
  // Lower is better on both axes: a point is on the front when no other is at least as good on both.
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const front = [];
  let best = Infinity;
  for (const p of sorted) if (p[1] < best) { front.push(p); best = p[1]; }
  return front;
}

function drawPareto() {
  if (!page) return;
  const byParams = els.xAxis.value === 'parameters';
  const pts = [];
  for (const run of page.runs) {
    const frr = run.test_frr ?? run.validation_frr;
    const x = byParams ? run.parameters : run.test_fa_per_hour ?? run.validation_fa_per_hour;
    if (typeof frr !== 'number' || typeof x !== 'number') continue;
    pts.push([byParams ? x : Math.max(x, 0.01), frr, { run, color: run.name === selected ? '#dc2626' : undefined }]);
  }
  chart(els.pareto, {
    x: { label: byParams ? 'parameters' : 'test false accepts per hour (log)', log: !byParams, floor: 0.01 },
    y: { label: 'test false reject rate', min: 0, format: (v) => `${+(v * 100).toPrecision(3)} %` },
    series: [
      { name: 'Pareto front', points: paretoFront(pts), color: '#94a3b8', dash: '4 3', mode: 'line', width: 1.2 },
      { name: 'runs', points: pts, mode: 'points', radius: 5, title: (p) => `${p[2].run.name}: FRR ${fmt.pct(p[1])}, ${byParams ? `${fmt.int(p[0])} parameters` : `${fmt.fixed(p[0], 2)} FA/h`}`, onClick: (p) => guard(openRun)(p[2].run) },
    ],
    empty: 'No run has test or validation figures yet',
  });
  els.pareto.setAttribute('data-points', String(pts.length));
}

async function openRun(run) {
  selected = run.name;
  for (const tr of root.querySelectorAll('#runs-table tbody tr')) tr.classList.toggle('selected', tr.dataset.name === run.name);
  drawPareto();
  const fields = [
    ['phrase', run.phrase], ['architecture', run.architecture], ['parameters', fmt.int(run.parameters)],
    ['epochs', `${fmt.int(run.epochs_done)} of ${fmt.int(run.epochs_total)}`], ['state', run.state],
    ['validation', `FRR ${fmt.pct(run.validation_frr)} · ${fmt.fixed(run.validation_fa_per_hour, 2)} FA/h`],
    ['test', `FRR ${fmt.pct(run.test_frr)} · ${fmt.fixed(run.test_fa_per_hour, 2)} FA/h`],
    ['cutoff', fmt.fixed(run.cutoff, 3)], ['modified', fmt.date(run.modified)], ['tags', (run.tags || []).join(', ') || '–'], ['notes', run.notes || '–'],
  ];
  els.details.className = '';
  els.details.dataset.name = run.name;
  clear(els.details, h('h3', run.name), h('table.grid', h('tbody', fields.map(([k, v]) => h('tr', h('td.muted', k), h('td', v))))));
  const { epochs } = await api(`/runs/${encodeURIComponent(run.name)}/metrics`);
  if (selected !== run.name) return;
  chart(els.curve, {
    x: { label: 'epoch', tight: true, integer: true }, y: { label: 'validation', min: 0 }, height: 200,
    series: [
      { name: 'FRR', points: epochs.filter((e) => typeof e.validation_frr === 'number').map((e) => [e.epoch, e.validation_frr]), color: '#dc2626' },
      { name: 'loss', points: epochs.filter((e) => typeof e.validation_loss === 'number').map((e) => [e.epoch, e.validation_loss]), color: '#2563eb' },
    ],
    empty: 'No epochs recorded',
  });
}

async function load() {
  const mine = ++seq;
  const next = await api('/runs', { params: { sort: q.sort, order: q.order, filter: q.filter, offset: q.offset, limit: PAGE } });
  if (mine !== seq) return;
  page = next;
  renderTable();
  drawPareto();
}

async function show() {
  await Promise.allSettled([load()]);
  ready(root);
}

export default { mount, show, hide() {} };
