// Background jobs (synth, train, evaluate, retrain, bench): start them, find them again, and a
// panel that follows one live over its WebSocket so every tab shows the same progress.
import { api, socket } from './client.js';
import { h, clear, fmt } from './dom.js';
import { refreshProject } from './project.js';

export const ACTIVE = new Set(['queued', 'running']);
const MAX_LINES = 3000;

export function startJob(kind, options) {
  return api('/jobs', { method: 'POST', body: { kind, options } });
}

/** The running job of a kind, else the most recent one, else null. */
export async function latestJob(kind) {
  const { jobs } = await api('/jobs');
  const mine = jobs.filter((j) => j.kind === kind);
  const active = mine.find((j) => ACTIVE.has(j.state));
  if (active) return active;
  mine.sort((a, b) => String(b.created).localeCompare(String(a.created)));
  return mine[0] || null;
}

/**
 * A job panel: state, progress bar, message, cancel/resume and (optionally) a log console.
 * Element ids are `${prefix}-state`, `-progress`, `-message`, `-console`, `-cancel`, `-resume`.
 * hooks: onState(job), onEpoch(epoch), onTelemetry(msg), onDone(job) (once per finished job).
 */
export function jobPanel(prefix, { console: withConsole = true, hooks = {} } = {}) {
  const state = h(`span#${prefix}-state.job-state`, 'none');
  const title = h('span.job-title', 'No job yet');
  const progress = h(`progress#${prefix}-progress`, { max: 1, value: 0 });
  const pct = h('span.progress-pct', '');
  const message = h(`div#${prefix}-message.job-message`, '');
  const cancel = h(`button#${prefix}-cancel.secondary`, { type: 'button', disabled: true }, 'Cancel');
  const resume = h(`button#${prefix}-resume.secondary`, { type: 'button', disabled: true }, 'Resume');
  const con = withConsole ? h(`div#${prefix}-console.console`, { role: 'log' }) : null;
  const el = h(`div#${prefix}-panel.job-panel`,
    h('div.job-head', title, state, h('span.spacer'), cancel, resume),
    h('div.progress-row', progress, pct),
    message, con);

  let job = null, ws = null, retry = 0, replay = null, finished = new Set();

  function render() {
    state.textContent = job ? job.state : 'none';
    state.className = `job-state state-${job ? job.state : 'none'}`;
    title.textContent = job ? `${job.kind} · ${job.options?.name || job.options?.model || job.id}` : 'No job yet';
    const p = job ? (job.state === 'done' ? 1 : job.progress || 0) : 0;
    progress.value = p;
    pct.textContent = job ? `${Math.round(p * 100)} %` : '';
    message.textContent = job ? job.message || '' : '';
    cancel.disabled = !job || !ACTIVE.has(job.state);
    resume.disabled = !job || !job.resumable || ACTIVE.has(job.state);
    el.dataset.jobId = job ? job.id : '';
  }

  function addLine(line) {
    if (!con) return;
    // The server may replay lines we already fetched with GET .../log: skip that prefix once.
    if (replay && replay.i < replay.lines.length) {
      if (replay.lines[replay.i] === line) { replay.i++; return; }
      replay = null;
    }
    const atBottom = con.scrollTop + con.clientHeight >= con.scrollHeight - 8;
    con.append(h('div.line', line));
    while (con.childElementCount > MAX_LINES) con.firstChild.remove();
    if (atBottom) con.scrollTop = con.scrollHeight;
  }

  function setJob(next) {
    const was = job && job.state;
    job = next;
    render();
    hooks.onState && hooks.onState(job);
    if (was !== job.state) refreshProject({ quiet: true }).catch(() => {});
    if (!ACTIVE.has(job.state) && !finished.has(job.id)) {
      finished.add(job.id);
      if (was && ACTIVE.has(was)) hooks.onDone && hooks.onDone(job);
    }
  }

  function close() {
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
  }

  function connect(id) {
    close();
    ws = socket(`/jobs/${encodeURIComponent(id)}/live`, null, {
      onOpen: () => { retry = 0; },
      onMessage(msg) {
        if (!job || job.id !== id) return;
        if (msg.type === 'state' && msg.job) setJob(msg.job);
        else if (msg.type === 'epoch' && msg.epoch) hooks.onEpoch && hooks.onEpoch(msg.epoch);
        else if (msg.type === 'log') addLine(msg.line);
        else if (msg.type === 'telemetry') {
          if (typeof msg.progress === 'number' && ACTIVE.has(job.state)) {
            progress.value = msg.progress;
            pct.textContent = `${Math.round(msg.progress * 100)} %`;
          }
          hooks.onTelemetry && hooks.onTelemetry(msg);
        }
      },
      onClose() {
        ws = null;
        // A live job whose socket dropped (server restart, sleep): look again, reconnect if still live.
        if (!job || job.id !== id) return;
        setTimeout(async () => {
          if (!job || job.id !== id) return;
          try {
            const fresh = await api(`/jobs/${encodeURIComponent(id)}`, { quiet: retry > 0 });
            setJob(fresh);
            if (ACTIVE.has(fresh.state)) { retry++; connect(id); }
          } catch (_) { retry++; if (retry < 20) connect(id); }
        }, Math.min(5000, 500 * 2 ** retry));
      },
    });
  }

  async function attach(next) {
    close();
    job = next;
    replay = null;
    if (con) clear(con);
    finished = new Set(ACTIVE.has(next.state) ? [] : [next.id]);
    render();
    hooks.onState && hooks.onState(job);
    if (con) {
      try {
        const text = await api(`/jobs/${encodeURIComponent(next.id)}/log`, { raw: true }).then((r) => r.text());
        if (job !== next) return;
        const lines = text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
        for (const l of lines.slice(-MAX_LINES)) con.append(h('div.line', l));
        con.scrollTop = con.scrollHeight;
        replay = { lines, i: 0 };
      } catch (_) { /* reported by api(); the live stream still works */ }
    }
    if (job !== next) return;
    if (ACTIVE.has(next.state)) connect(next.id);
  }

  cancel.addEventListener('click', async () => {
    if (!job) return;
    cancel.disabled = true;
    try { setJob(await api(`/jobs/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' })); } catch (_) { render(); }
  });
  resume.addEventListener('click', async () => {
    if (!job) return;
    resume.disabled = true;
    try { await attach(await api(`/jobs/${encodeURIComponent(job.id)}/resume`, { method: 'POST' })); } catch (_) { render(); }
  });

  /**
   * Starts a job from this panel: the old job is let go at once (synchronously, before the request),
   * so nothing (a person, a test waiting on data-job-id) mistakes it for the new one.
   */
  async function start(kind, options) {
    close();
    const previous = job;
    job = null;
    render();
    try {
      const next = await startJob(kind, options);
      await attach(next);
      return next;
    } catch (e) {
      if (!job && previous) { job = previous; render(); }
      throw e;
    }
  }

  render();
  return { el, attach, start, close, get job() { return job; } };
}

export function describeJob(job) {
  if (!job) return '';
  const took = job.started && job.finished ? (new Date(job.finished) - new Date(job.started)) / 1000 : null;
  return `${job.kind} ${job.state}${took !== null ? ` in ${fmt.seconds(took)}` : ''}`;
}
