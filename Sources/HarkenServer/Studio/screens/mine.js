// Mine: the errors an evaluation found, added to the corpus as negatives or positives, then a
// fine-tuning run on the corpus with them.
import { api, guard } from '../client.js';
import { h, clear, fmt, ready, setOptions } from '../dom.js';
import { playClip } from '../audio.js';
import { jobPanel, latestJob } from '../jobs.js';
import { refreshProject } from '../project.js';

const KIND_LABEL = { false_accept: 'false accept', false_reject: 'false reject', near_miss: 'near miss' };
let root, els = {}, panel, evaluations = [], findings = null;

function mount(r) {
  root = r;
  els.eval = h('select#mine-eval');
  els.eval.addEventListener('change', guard(() => { els.note.textContent = ''; return loadFindings(); }));
  els.kind = h('select#mine-kind', h('option', { value: '' }, 'all kinds'), Object.entries(KIND_LABEL).map(([k, v]) => h('option', { value: k }, v)));
  els.kind.addEventListener('change', renderFindings);
  els.addAllNeg = h('button#add-all-negative.secondary', { type: 'button', onclick: guard(() => addMany('negative')) }, 'Add all false accepts as negatives');
  els.table = h('div.scroll', { style: 'max-height:480px' });
  els.total = h('div#mine-corpus-total.v', '–');
  els.mined = h('div#mine-corpus-mined.v', '–');
  els.note = h('div#mine-status.notice');
  els.splitNote = h('div#mine-split-note.muted', { hidden: true },
    'This evaluation is on the test split: its clips stay out of training so the test figures stay honest. Mine a validation evaluation.');
  els.epochs = h('input#retrain-epochs', { type: 'number', min: 1, step: 1, placeholder: 'default' });
  els.name = h('input#retrain-name', { type: 'text', size: 22, placeholder: 'MODEL-retrained' });
  els.retrain = h('button#retrain-start', { type: 'button', onclick: guard(retrain) }, 'Fine-tune with mined clips');
  els.retrainModel = h('span#retrain-model.mono', '–');
  panel = jobPanel('retrain', { hooks: { onDone: () => refreshProject({ quiet: true }).catch(() => {}) } });

  clear(root,
    h('h1', 'Mine'),
    h('p.lede', 'Every false accept is background audio the model should learn to ignore; every false reject a phrase it should learn to hear.'),
    h('div.cards',
      h('div.card.wide', h('h2', 'Findings'),
        h('div.toolbar', h('label.field.grow', h('span', 'Evaluation'), els.eval), h('label.field', h('span', 'Show'), els.kind)),
        h('div.toolbar', els.addAllNeg, h('span.spacer')),
        els.splitNote, els.note, els.table),
      h('div.card', h('h2', 'Corpus'),
        h('div.stat-row', h('div.stat', els.total, h('div.k', 'clips')), h('div.stat', els.mined, h('div.k', 'mined clips')))),
      h('div.card', h('h2', 'Retrain'),
        h('p.muted', 'Fine-tunes the evaluated run into a new run on the corpus with its mined clips.'),
        h('div.form-row', h('div.field', h('span', 'From run'), els.retrainModel), h('label.field', h('span', 'New run name'), els.name), h('label.field', h('span', 'Epochs'), els.epochs), els.retrain),
        panel.el)));
}

function currentEvaluation() {
  return evaluations.find((e) => e.id === els.eval.value);
}

// Mining test clips into training would make the test figures dishonest: the server refuses it.
const minable = () => currentEvaluation()?.split !== 'test';

function renderFindings() {
  const items = (findings?.items || []).filter((it) => !els.kind.value || it.kind === els.kind.value);
  const rows = items.map((it) => {
    // A false reject is usually the phrase, anything else usually is not: that action leads; the
    // other stays for a clip whose label is wrong.
    const natural = it.kind === 'false_reject' ? 'positive' : 'negative';
    const add = (as, cls, text) => {
      const b = h(`button.${cls}${as === natural ? '' : '.secondary'}`, { type: 'button', disabled: it.added || !minable(), title: minable() ? `Add this clip to the corpus as a ${as}` : 'An evaluation on the test split cannot be mined' }, text);
      b.addEventListener('click', guard(() => addItems([it.id], as)));
      return b;
    };
    const play = h('button.play.secondary', { type: 'button', title: 'Play' }, '▶');
    play.addEventListener('click', () => (it.kind === 'false_accept' ? playClip(it.clip, it.time_s - 1.5, it.time_s + 0.5) : playClip(it.clip)));
    return h(`tr${it.added ? '.added' : ''}`, { 'data-id': it.id, 'data-kind': it.kind },
      h('td', play), h('td', KIND_LABEL[it.kind] || it.kind), h('td.clip-path', { title: it.clip }, it.clip),
      h('td.num', typeof it.time_s === 'number' ? fmt.seconds(it.time_s) : '–'), h('td.num', fmt.fixed(it.score, 3)),
      h('td', it.added ? h('span.muted.added-mark', 'added') : (natural === 'negative'
        ? [add('negative', 'add-negative', '+ negative'), ' ', add('positive', 'add-positive', '+ positive')]
        : [add('positive', 'add-positive', '+ positive'), ' ', add('negative', 'add-negative', '+ negative')])));
  });
  clear(els.table, h('table#findings-table.grid',
    h('thead', h('tr', h('th', ''), h('th', 'kind'), h('th', 'clip'), h('th.num', 'at'), h('th.num', 'score'), h('th', 'add to corpus'))),
    h('tbody', rows.length ? rows : h('tr', h('td', { colspan: 6, class: 'muted' }, findings ? 'Nothing to mine here.' : 'Run an evaluation first.')))));
  const open = (findings?.items || []).filter((it) => it.kind === 'false_accept' && !it.added).length;
  els.addAllNeg.disabled = !open || !minable();
  els.splitNote.hidden = !findings || minable();
  els.addAllNeg.textContent = `Add all ${open} false accept${open === 1 ? '' : 's'} as negatives`;
}

function renderCorpus(c) {
  els.total.textContent = String(c.clips ?? 0);
  els.mined.textContent = fmt.int(c.mined ?? 0);
}

async function addItems(ids, as) {
  const ev = currentEvaluation();
  if (!ev) return;
  const res = await api('/findings/add', { method: 'POST', body: { evaluation: ev.id, items: ids.map((id) => ({ id, as })) } });
  renderCorpus(res.corpus);
  els.note.textContent = `Added ${fmt.count(res.added, 'clip')} as ${as}${res.added === 1 ? '' : 's'}; the corpus now holds ${fmt.int(res.corpus.clips)} clips.`;
  await loadFindings();
  refreshProject({ quiet: true }).catch(() => {});
}

function addMany(as) {
  const ids = (findings?.items || []).filter((it) => it.kind === 'false_accept' && !it.added).map((it) => it.id);
  return ids.length ? addItems(ids, as) : null;
}

async function loadFindings() {
  const ev = currentEvaluation();
  els.retrainModel.textContent = ev ? ev.model : '–';
  els.retrain.disabled = !ev;
  if (!ev) { findings = null; renderFindings(); return; }
  findings = await api('/findings', { params: { evaluation: ev.id } });
  renderFindings();
}

async function retrain() {
  const ev = currentEvaluation();
  if (!ev) throw new Error('Choose an evaluation of a trained run first.');
  const options = { model: ev.model };
  const n = parseInt(els.epochs.value, 10);
  if (n > 0) options.epochs = n;
  if (els.name.value.trim()) options.name = els.name.value.trim();
  await panel.start('retrain', options);
}

async function show() {
  await Promise.allSettled([
    api('/corpus').then(renderCorpus),
    api('/evaluations').then(async (r) => {
      evaluations = r.evaluations.sort((a, b) => String(b.created).localeCompare(String(a.created)));
      const before = els.eval.value;
      setOptions(els.eval, evaluations, {
        key: (e) => e.id,
        label: (e) => `${e.model} · ${e.split}${e.split === 'test' ? ' (not minable)' : ''} · ${fmt.date(e.created)}`,
        value: before || evaluations.find((e) => e.split !== 'test')?.id || evaluations[0]?.id,
      });
      await loadFindings();
    }),
    latestJob('retrain').then((j) => { if (j && (!panel.job || panel.job.id !== j.id)) return panel.attach(j); }),
  ]);
  ready(root);
}

export default { mount, show, hide() {} };
