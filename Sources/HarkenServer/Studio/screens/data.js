// Data: what the corpus holds, listening to any clip, synthesizing more, and adding your own audio.
import { api, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions } from '../dom.js';
import { drawWaveform, drawSpectrogram } from '../plot.js';
import { loadClip, playClip, spectrogram, startMicrophone, encodeWav, decodeWav, RATE } from '../audio.js';
import { jobPanel, latestJob } from '../jobs.js';
import { refreshProject } from '../project.js';

const PAGE = 50;
const SYNTH_FIELDS = [
  ['speakers', 'Speakers', 'int', 'voices × variants used'],
  ['variations', 'Variations', 'int', 'renditions per speaker'],
  ['near_misses', 'Near misses', 'int', 'similar-sounding phrases'],
  ['negatives', 'Negatives', 'int', 'other speech clips'],
  ['train_minutes', 'Train stream (min)', 'int', 'minutes of background audio'],
  ['validation_minutes', 'Validation stream (min)', 'int', 'minutes of background audio'],
  ['test_minutes', 'Test stream (min)', 'int', 'minutes of background audio'],
  ['seed', 'Seed', 'int', 'for a repeatable corpus'],
];
const UPLOAD_KINDS = [
  ['recordings', 'Recordings', 'Your own takes of the phrase (WAV, any rate: stored as 16 kHz mono).'],
  ['noise', 'Noise', 'Background audio mixed into training clips.'],
  ['rirs', 'Room impulses', 'Room impulse responses for reverberation.'],
];

let root, els = {}, clipQuery = { split: '', kind: '', offset: 0 }, synth, recorder = null;

function statCell(id, label) {
  return h('div.stat', h(`div#${id}.v`, '–'), h('div.k', label));
}

function mount(r) {
  root = r;
  els.total = statCell('corpus-total', 'clips');
  els.summary = h('div.stat-row', els.total,
    statCell('corpus-seconds', 'of audio'), statCell('corpus-mined', 'mined clips'),
    statCell('corpus-recordings', 'recordings'), statCell('corpus-noise', 'noise files'), statCell('corpus-rirs', 'room impulses'));
  els.splits = h('div'); els.kinds = h('div'); els.engines = h('div'); els.voices = h('div.scroll');

  els.clipSplit = h('select#clip-split', h('option', { value: '' }, 'all splits'), ['train', 'validation', 'test'].map((s) => h('option', { value: s }, s)));
  els.clipKind = h('select#clip-kind', h('option', { value: '' }, 'all kinds'));
  els.clipSplit.onchange = els.clipKind.onchange = guard(async () => {
    clipQuery = { split: els.clipSplit.value, kind: els.clipKind.value, offset: 0 };
    await loadClips();
  });
  els.prev = h('button#clips-prev.secondary.small', { type: 'button', onclick: guard(() => { clipQuery.offset = Math.max(0, clipQuery.offset - PAGE); return loadClips(); }) }, '‹ Prev');
  els.next = h('button#clips-next.secondary.small', { type: 'button', onclick: guard(() => { clipQuery.offset += PAGE; return loadClips(); }) }, 'Next ›');
  els.page = h('span#clips-page.muted', '');
  els.clipTable = h('div.scroll');
  els.clipInfo = h('div#clip-info.muted', 'Choose a clip to see and hear it.');
  // Hidden until there is something to draw: an empty spectrogram is a large dark block.
  els.wave = h('canvas#clip-waveform', { hidden: true });
  els.spec = h('canvas#clip-spectrogram', { hidden: true });

  // Synthesis
  const inputs = SYNTH_FIELDS.map(([name, label, type, hint]) => h('label.field', h('span', label),
    h('input', { name, type: 'number', step: type === 'int' ? '1' : 'any', min: 0, placeholder: 'default', title: hint })));
  els.synthForm = h('form#synth-form', h('div.form-row', inputs),
    h('div.toolbar', h('button#synth-start', { type: 'submit' }, 'Synthesize corpus'),
      h('span.muted', 'Empty fields keep Harken\'s defaults. Every TTS voice on this machine speaks.')));
  synth = jobPanel('synth', { hooks: { onDone: () => refresh().catch(() => {}) } });
  els.synthForm.addEventListener('submit', guard(async (ev) => {
    ev.preventDefault();
    const options = {};
    for (const [name, , type] of SYNTH_FIELDS) {
      const v = els.synthForm.elements[name].value.trim();
      if (v !== '') options[name] = type === 'int' ? parseInt(v, 10) : parseFloat(v);
    }
    await synth.start('synth', options);
  }));

  // Own audio
  els.recStart = h('button#record-button', { type: 'button', onclick: guard(startRecording) }, '● Record');
  els.recStop = h('button#record-stop.secondary', { type: 'button', disabled: true, onclick: guard(stopRecording) }, '■ Stop');
  els.recStatus = h('span#record-status.muted', 'Say the phrase once per take; each take is uploaded as a recording.');
  els.uploadStatus = h('div#upload-status.notice');
  els.uploads = {};
  const uploadRows = UPLOAD_KINDS.map(([kind, label, hint]) => {
    const files = h(`input#upload-${kind}`, { type: 'file', multiple: true, accept: 'audio/*,.wav,.flac,.ogg,.mp3' });
    const dir = h(`input#upload-${kind}-dir`, { type: 'file', multiple: true, webkitdirectory: true });
    const onPick = (input) => guard(async () => { await upload(kind, [...input.files]); input.value = ''; });
    files.addEventListener('change', onPick(files));
    dir.addEventListener('change', onPick(dir));
    els.uploads[kind] = h(`div#uploads-${kind}.muted`, '');
    return h('div.upload-row', h('h3', label, ' ', h('span.muted', hint)),
      h('div.form-row', h('label.field', h('span', 'Files'), files), h('label.field', h('span', 'A folder'), dir)),
      els.uploads[kind]);
  });

  clear(root,
    h('h1', 'Data'),
    h('p.lede', 'The corpus Harken trains and measures on: synthesized speech, your recordings, noise and rooms.'),
    h('div.cards',
      h('div.card.wide', h('h2', 'Corpus'), els.summary,
        h('div.cards', h('div', h('h3', 'By split'), els.splits), h('div', h('h3', 'By kind'), els.kinds), h('div', h('h3', 'By engine'), els.engines))),
      h('div.card.wide', h('h2', 'Clips', h('span.hint', 'click ▶ to hear a clip and see its waveform and spectrogram')),
        h('div.clip-view', els.clipInfo, els.wave, els.spec),
        h('div.toolbar', els.clipSplit, els.clipKind, h('span.spacer'), els.prev, els.page, els.next),
        els.clipTable),
      h('div.card', h('h2', 'Synthesize'), els.synthForm, synth.el),
      h('div.card', h('h2', 'Your audio'),
        h('div.toolbar', els.recStart, els.recStop, els.recStatus),
        els.uploadStatus, uploadRows),
      h('div.card.wide', h('h2', 'Voices', h('span.hint', 'who speaks in the corpus')), els.voices)));
}

function countTable(id, obj, label) {
  const rows = Object.entries(obj || {}).map(([k, n]) => h('tr', { 'data-key': k }, h('td', k), h('td.num', fmt.int(n))));
  if (!rows.length) rows.push(h('tr', h('td.muted', { colspan: 2 }, 'none yet')));
  return h(`table#${id}.grid`, h('thead', h('tr', h('th', label), h('th.num', 'clips'))), h('tbody', rows));
}

function renderCorpus(c) {
  document.getElementById('corpus-total').textContent = String(c.clips ?? 0);
  document.getElementById('corpus-seconds').textContent = fmt.seconds(c.seconds);
  document.getElementById('corpus-mined').textContent = fmt.int(c.mined ?? 0);
  document.getElementById('corpus-recordings').textContent = fmt.int(c.recordings ?? 0);
  document.getElementById('corpus-noise').textContent = fmt.int(c.noise ?? 0);
  document.getElementById('corpus-rirs').textContent = fmt.int(c.rirs ?? 0);
  const splits = c.by_split || {};
  clear(els.splits, countTable('corpus-splits', { train: splits.train ?? 0, validation: splits.validation ?? 0, test: splits.test ?? 0, ...splits }, 'split'));
  clear(els.kinds, countTable('corpus-kinds', c.by_kind, 'kind'));
  clear(els.engines, countTable('corpus-engines', c.by_engine, 'engine'));
  const voices = [...(c.voices || [])].sort((a, b) => b.clips - a.clips);
  clear(els.voices, h('table#corpus-voices.grid',
    h('thead', h('tr', h('th', 'voice'), h('th', 'engine'), h('th.num', 'clips'))),
    h('tbody', voices.map((v) => h('tr', h('td.mono', v.voice), h('td', v.engine), h('td.num', fmt.int(v.clips)))))));
  setOptions(els.clipKind, Object.keys(c.by_kind || {}), { empty: 'all kinds' });
}

async function loadClips() {
  const page = await api('/corpus/clips', { params: { split: clipQuery.split, kind: clipQuery.kind, offset: clipQuery.offset, limit: PAGE } });
  const rows = page.clips.map((c) => {
    const play = h('button.play', { type: 'button', 'data-path': c.path, title: 'Play' }, '▶');
    play.addEventListener('click', guard(() => showClip(c)));
    return h('tr', { 'data-path': c.path },
      h('td', play), h('td.clip-path', { title: c.path }, c.path), h('td', c.kind), h('td', c.split),
      h('td', c.engine ? `${c.engine}${c.voice ? ` · ${c.voice}` : ''}` : ''), h('td.num', fmt.seconds(c.seconds)), h('td', c.text || ''));
  });
  clear(els.clipTable, h('table#clip-list.grid',
    h('thead', h('tr', h('th', ''), h('th', 'path'), h('th', 'kind'), h('th', 'split'), h('th', 'voice'), h('th.num', 'length'), h('th', 'text'))),
    h('tbody', rows.length ? rows : h('tr', h('td', { colspan: 7, class: 'muted' }, 'No clips yet: synthesize a corpus or upload recordings.')))));
  const total = page.total ?? 0;
  els.page.textContent = total ? `${page.offset + 1}–${page.offset + page.clips.length} of ${fmt.int(total)}` : '0 clips';
  els.prev.disabled = page.offset <= 0;
  els.next.disabled = page.offset + page.clips.length >= total;
}

async function showClip(c) {
  for (const tr of root.querySelectorAll('#clip-list tr.selected')) tr.classList.remove('selected');
  root.querySelector(`#clip-list tr[data-path="${CSS.escape(c.path)}"]`)?.classList.add('selected');
  playClip(c.path);
  els.clipInfo.textContent = `${c.path} · ${c.kind || ''} · ${fmt.seconds(c.seconds)}${c.text ? ` · “${c.text}”` : ''}`;
  const audio = await loadClip(c.path);
  drawAudio(audio.samples, audio.sampleRate);
}

function drawAudio(samples, rate) {
  els.wave.hidden = false;
  els.spec.hidden = false;
  drawWaveform(els.wave, samples);
  drawSpectrogram(els.spec, spectrogram(samples, rate));
}

async function renderUploads() {
  const up = await api('/uploads');
  for (const [kind] of UPLOAD_KINDS) {
    const list = up[kind] || [];
    const secs = list.reduce((a, u) => a + (u.seconds || 0), 0);
    clear(els.uploads[kind], list.length
      ? h('details', h('summary', `${fmt.count(list.length, 'file')}, ${fmt.seconds(secs)}`),
        h('table.grid', h('tbody', list.map((u) => {
          const play = h('button.play', { type: 'button', 'data-path': u.path, title: 'Play' }, '▶');
          play.addEventListener('click', guard(() => showClip({ path: u.path, kind, seconds: u.seconds })));
          return h('tr', { 'data-path': u.path }, h('td', play), h('td.clip-path', u.path), h('td.num', fmt.seconds(u.seconds)),
            h('td.num', `${fmt.int(u.sample_rate)} Hz`), h('td.num', fmt.bytes(u.bytes)));
        }))))
      : 'none yet');
  }
}

async function upload(kind, files) {
  files = files.filter((f) => f.size > 0 && !f.name.startsWith('.'));
  let done = 0;
  for (const f of files) {
    els.uploadStatus.textContent = `Uploading ${f.name} (${done + 1} of ${files.length})…`;
    try {
      await api(`/uploads/${kind}`, { method: 'POST', params: { name: f.name }, body: f });
      done++;
    } catch (_) { /* the banner names the file; go on with the others */ }
  }
  els.uploadStatus.textContent = files.length ? `Uploaded ${done} of ${files.length} ${kind} file${files.length === 1 ? '' : 's'}.` : '';
  await Promise.allSettled([renderUploads(), api('/corpus').then(renderCorpus), refreshProject({ quiet: true })]);
}

async function startRecording() {
  const chunks = [];
  const started = performance.now();
  els.recStart.disabled = true;
  try {
    recorder = await startMicrophone((pcm) => {
      chunks.push(pcm);
      els.recStatus.textContent = `Recording… ${((performance.now() - started) / 1000).toFixed(1)} s`;
    });
  } catch (e) {
    els.recStart.disabled = false;
    throw new Error(`Microphone: ${e.message}`);
  }
  recorder.chunks = chunks;
  els.recStop.disabled = false;
}

async function stopRecording() {
  if (!recorder) return;
  const rec = recorder;
  recorder = null;
  els.recStop.disabled = true;
  els.recStart.disabled = false;
  await rec.stop();
  const n = rec.chunks.reduce((a, c) => a + c.length, 0);
  const pcm = new Int16Array(n);
  let o = 0;
  for (const c of rec.chunks) { pcm.set(c, o); o += c.length; }
  if (n < RATE * 0.2) { els.recStatus.textContent = 'Too short to keep (under 0.2 s).'; return; }
  const wav = encodeWav(pcm, RATE);
  const samples = decodeWav(await wav.arrayBuffer()).samples;
  drawAudio(samples, RATE);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  els.clipInfo.textContent = `New recording, ${fmt.seconds(n / RATE)}`;
  els.recStatus.textContent = `Recorded ${fmt.seconds(n / RATE)}; uploading…`;
  await upload('recordings', [new File([wav], `recording-${stamp}.wav`, { type: 'audio/wav' })]);
  els.recStatus.textContent = `Saved recording-${stamp}.wav (${fmt.seconds(n / RATE)}).`;
}

async function refresh() {
  await Promise.allSettled([
    api('/corpus').then(renderCorpus),
    renderUploads(),
    loadClips(),
  ]);
}

async function show() {
  const job = latestJob('synth').then((j) => { if (j && (!synth.job || synth.job.id !== j.id)) return synth.attach(j); });
  await Promise.allSettled([refresh(), job]);
  ready(root);
}

export default { mount, show, hide() {} };
