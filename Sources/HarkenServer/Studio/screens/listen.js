// Listen: speak to a model through the microphone (or give it a file) and watch its score live.
import { api, socket, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions, svg } from '../dom.js';
import { chart } from '../plot.js';
import { startMicrophone, RATE } from '../audio.js';

const SPAN_S = 10;
let root, els = {}, models = [], live = null, points = [], detections = [], mode = 'live', cutoff = 0.5;
// Latencies of every answered chunk this session, also left on window for benchmark scripts.
const latencies = [];
window.harkenListenLatencies = latencies;

function mount(r) {
  root = r;
  els.model = h('select#listen-model');
  els.model.addEventListener('change', () => { cutoff = currentModel()?.cutoff ?? 0.5; draw(); });
  els.start = h('button#listen-start', { type: 'button', onclick: guard(start) }, '● Listen');
  els.stop = h('button#listen-stop.secondary', { type: 'button', disabled: true, onclick: guard(stop) }, '■ Stop');
  els.status = h('span#listen-status.muted', 'Microphone off.');
  els.latency = h('span#listen-latency.mono', '–');
  els.file = h('input#listen-file', { type: 'file', accept: 'audio/*,.wav,.flac,.ogg,.mp3' });
  els.file.addEventListener('change', guard(listenFile));
  els.plot = svg('listen-plot');
  els.detections = h('ul#listen-detections.detections');
  els.count = h('span#listen-count.hint', '');

  clear(root,
    h('h1', 'Listen'),
    h('p.lede', 'Say the phrase and watch the model hear it: every score, its running mean and the cutoff that decides.'),
    h('div.cards',
      h('div.card.wide',
        h('div.form-row',
          h('label.field', h('span', 'Model'), els.model),
          els.start, els.stop,
          h('label.field', h('span', 'Or a file'), els.file),
          h('div.spacer'),
          h('div.field', h('span', 'Round trip per chunk'), els.latency)),
        els.status),
      h('div.card.wide', h('h2', 'Score', h('span.hint', `last ${SPAN_S} s live, the whole file otherwise`)), els.plot),
      h('div.card.wide', h('h2', 'Detections', els.count), els.detections)));
  draw();
}

const currentModel = () => models.find((m) => m.name === els.model.value);

function draw() {
  let pts = points;
  let x = { label: 'time (s)', tight: true };
  if (mode === 'live') {
    const end = Math.max(SPAN_S, pts.length ? pts[pts.length - 1].time_s : 0);
    x = { label: 'time (s)', min: end - SPAN_S, max: end };
    const from = end - SPAN_S;
    let i = pts.length;
    while (i > 0 && pts[i - 1].time_s >= from) i--;
    pts = pts.slice(i);
  }
  chart(els.plot, {
    x, y: { label: 'probability', min: 0, max: 1 }, height: 260,
    series: [
      { name: 'score', points: pts.map((p) => [p.time_s, p.probability]), color: '#93c5fd', width: 1.2 },
      { name: 'mean', points: pts.map((p) => [p.time_s, p.mean]), color: '#2563eb', width: 2 },
    ],
    hlines: [{ y: cutoff, label: `cutoff ${fmt.fixed(cutoff, 3)}` }],
    vlines: detections.filter((d) => mode !== 'live' || d.time_s >= x.min).map((d) => ({ x: d.time_s, color: '#059669' })),
    legend: true,
    empty: 'Press Listen or choose a file',
  });
  els.plot.setAttribute('data-points', String(points.length));
}

function addDetections(list) {
  for (const d of list) {
    detections.push(d);
    els.detections.append(h('li', { 'data-time-s': String(d.time_s) },
      h('span.t', fmt.seconds(d.time_s)), `mean score ${fmt.fixed(d.mean_probability, 3)}`));
  }
  els.count.textContent = detections.length ? fmt.count(detections.length, 'detection') : '';
  if (list.length) els.detections.scrollTop = els.detections.scrollHeight;
}

function reset(nextMode) {
  mode = nextMode;
  points = []; detections = [];
  clear(els.detections);
  els.count.textContent = '';
  cutoff = currentModel()?.cutoff ?? 0.5;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

async function start() {
  if (live) return;
  const model = els.model.value;
  if (!model) throw new Error('Choose a model to listen with.');
  reset('live');
  latencies.length = 0;
  draw();
  els.start.disabled = true;
  const sent = new Map(); // total samples after a chunk → when it left
  let total = 0;
  const session = { ws: null, mic: null, sent };
  live = session;
  els.status.textContent = 'Connecting…';

  const ws = socket('/listen', { model }, {
    onMessage(msg) {
      if (msg.type !== 'trace') return;
      if (msg.points?.length) {
        points.push(...msg.points);
        // Keep a little more than the visible span; the server keeps the whole history.
        const from = points[points.length - 1].time_s - SPAN_S * 1.5;
        if (points.length > 4000 && points[0].time_s < from) points = points.filter((p) => p.time_s >= from);
      }
      if (msg.detections?.length) addDetections(msg.detections);
      draw();
      const t0 = sent.get(msg.samples);
      if (t0 !== undefined) {
        const ms = performance.now() - t0;
        latencies.push(ms);
        for (const k of sent.keys()) if (k <= msg.samples) sent.delete(k);
        els.latency.textContent = `${median(latencies.slice(-100)).toFixed(0)} ms`;
        els.latency.dataset.lastMs = ms.toFixed(1);
        els.latency.dataset.medianMs = median(latencies).toFixed(1);
        els.latency.dataset.count = String(latencies.length);
        els.latency.title = `median of the last 100 chunks; last ${ms.toFixed(1)} ms; ${latencies.length} chunks`;
      }
    },
    onClose(ev) {
      if (live !== session) return;
      stopSession(session);
      els.status.textContent = `Connection closed${ev.reason ? `: ${ev.reason}` : ''}.`;
    },
  });
  session.ws = ws;
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('close', () => reject(new Error(`The listen connection for ${model} closed before it opened.`)), { once: true });
  }).catch((e) => { stopSession(session); throw e; });
  try {
    session.mic = await startMicrophone((pcm) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      total += pcm.length;
      sent.set(total, performance.now());
      // Int16Array is host-endian; every browser Harken runs on is little-endian, as the server expects.
      ws.send(pcm.buffer);
    });
  } catch (e) {
    stopSession(session);
    throw new Error(`Microphone: ${e.message}`);
  }
  if (live !== session) { session.mic.stop(); return; }
  els.stop.disabled = false;
  els.status.textContent = `Listening with ${model} (audio context at ${fmt.int(session.mic.contextRate)} Hz${session.mic.contextRate !== RATE ? ', resampled to 16 kHz' : ''}).`;
}

function stopSession(session) {
  if (session.mic) session.mic.stop();
  session.mic = null;
  if (session.ws && session.ws.readyState <= WebSocket.OPEN) {
    const ws = session.ws;
    // Let the answers to the last chunks arrive before hanging up.
    setTimeout(() => ws.close(), 400);
  }
  if (live === session) live = null;
  els.start.disabled = false;
  els.stop.disabled = true;
}

async function stop() {
  if (!live) return;
  stopSession(live);
  els.status.textContent = `Stopped: ${fmt.count(detections.length, 'detection')}.`;
}

async function listenFile() {
  const file = els.file.files[0];
  if (!file) return;
  const model = els.model.value;
  if (!model) throw new Error('Choose a model to listen with.');
  if (live) stopSession(live);
  reset('file');
  draw();
  els.status.textContent = `Scoring ${file.name}…`;
  const trace = await api('/listen', { method: 'POST', params: { model }, body: file });
  cutoff = trace.cutoff ?? cutoff;
  points = trace.points || [];
  addDetections(trace.detections || []);
  draw();
  els.status.textContent = `${file.name}: ${fmt.seconds(trace.audio_seconds)} of audio, ${fmt.count(detections.length, 'detection')} (cutoff ${fmt.fixed(trace.cutoff, 3)}, window ${trace.window} frames).`;
  els.file.value = '';
}

async function show() {
  await Promise.allSettled([
    api('/models').then((r) => {
      models = r.models;
      setOptions(els.model, models, { key: (m) => m.name, label: (m) => `${m.name} (cutoff ${fmt.fixed(m.cutoff, 3)})` });
      cutoff = currentModel()?.cutoff ?? 0.5;
      draw();
    }),
  ]);
  ready(root);
}

export default { mount, show, hide() { if (live) stop(); } };
