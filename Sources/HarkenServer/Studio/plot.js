// Our own small charts: SVG line/scatter plots with linear or log axes, and canvas
// waveform/spectrogram drawings. No library, so the Studio works offline.

const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626', '#0891b2'];

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

function formatTick(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1) return String(+v.toPrecision(4));
  return String(+v.toPrecision(2));
}

/** An axis maps data to pixels; log axes clamp non-positive values to their floor so zeros stay visible. */
function makeAxis(spec, values, lo, hi) {
  const log = !!spec.log;
  let vals = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let min = spec.min ?? (vals.length ? Math.min(...vals) : log ? 0.01 : 0);
  let max = spec.max ?? (vals.length ? Math.max(...vals) : 1);
  if (log) {
    if (!(min > 0)) min = spec.floor ?? 1e-3;
    if (spec.min === undefined) min = 10 ** Math.floor(Math.log10(min));
    if (spec.max === undefined) max = 10 ** Math.ceil(Math.log10(Math.max(max, min * 10)));
  } else {
    if (spec.min === undefined && min > 0 && !spec.tight) min = 0;
    // Round a free upper end up to the next tick so the highest point is not drawn on the frame.
    if (spec.max === undefined && !spec.tight && max > min) {
      const step = niceStep(max - min, spec.ticks || 5);
      max = Math.ceil(max / step - 1e-9) * step;
    }
  }
  if (max <= min) max = log ? min * 10 : min + 1;
  const floor = min;
  const t = log ? (v) => Math.log10(Math.max(v, floor)) : (v) => v;
  const a = t(min), b = t(max);
  const map = (v) => lo + ((t(v) - a) / (b - a)) * (hi - lo);
  const invert = (p) => {
    const u = a + ((p - lo) / (hi - lo)) * (b - a);
    return log ? 10 ** u : u;
  };
  let ticks = [];
  if (log) {
    for (let e = Math.ceil(Math.log10(min) - 1e-9); e <= Math.floor(Math.log10(max) + 1e-9); e++) ticks.push(10 ** e);
  } else {
    const step = spec.integer ? Math.max(1, Math.round(niceStep(max - min, spec.ticks || 5))) : niceStep(max - min, spec.ticks || 5);
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  }
  return { map, invert, ticks, min, max, format: spec.format || formatTick };
}

/**
 * Draws a chart into an <svg> element (replacing its content).
 * opts: {x:{label,log,min,max,format}, y:{...}, series:[{name, points:[[x,y]], color, mode:'line'|'points',
 *        dash, width, title(point,i), onClick(point,i)}], hlines:[{y,label,color}], vlines:[{x,label,color}],
 *        markers:[{x,y,label,color}], onPick(series,index), height, empty}
 */
// Charts are drawn in pixels at their current width (so text keeps its size); when the width
// changes (window resize, a hidden screen shown) they are drawn again from the options kept.
const resized = typeof ResizeObserver === 'function' ? new ResizeObserver((entries) => {
  for (const e of entries) {
    const svg = e.target;
    const w = Math.round(e.contentRect.width);
    if (svg.__chart && w > 0 && Math.abs(w - svg.__chart.width) > 2) chart(svg, svg.__chart.opts);
  }
}) : null;

export function chart(svg, opts) {
  const H = opts.height || 240;
  svg.setAttribute('width', '100%');
  svg.setAttribute('height', H);
  const measured = Math.round(svg.getBoundingClientRect().width);
  const W = Math.max(280, measured || 640);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!svg.__chart && resized) resized.observe(svg);
  svg.__chart = { opts, width: measured };
  svg.replaceChildren();
  const series = opts.series || [];
  const named = series.filter((se) => se.name);
  const withLegend = named.length > 1 || (opts.legend && named.length);
  // The legend sits above the plot area so it never hides data.
  const m = { l: 56, r: 14, t: withLegend ? 28 : 14, b: 38 };
  const xs = series.flatMap((se) => se.points.map((p) => p[0])).concat((opts.vlines || []).map((l) => l.x));
  const ys = series.flatMap((se) => se.points.map((p) => p[1])).concat((opts.hlines || []).map((l) => l.y));
  const X = makeAxis(opts.x || {}, xs, m.l, W - m.r);
  const Y = makeAxis(opts.y || {}, ys, H - m.b, m.t);

  const grid = s('g', { class: 'grid' });
  for (const v of X.ticks) {
    const px = X.map(v);
    grid.append(s('line', { x1: px, x2: px, y1: m.t, y2: H - m.b }));
    grid.append(s('text', { x: px, y: H - m.b + 14, 'text-anchor': 'middle', class: 'tick' }, X.format(v)));
  }
  for (const v of Y.ticks) {
    const py = Y.map(v);
    grid.append(s('line', { x1: m.l, x2: W - m.r, y1: py, y2: py }));
    grid.append(s('text', { x: m.l - 6, y: py + 4, 'text-anchor': 'end', class: 'tick' }, Y.format(v)));
  }
  grid.append(s('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, class: 'frame' }));
  svg.append(grid);
  if (opts.x?.label) svg.append(s('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, opts.x.label));
  if (opts.y?.label) svg.append(s('text', { x: 12, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, opts.y.label));

  const clip = `clip${Math.random().toString(36).slice(2, 8)}`;
  const defs = s('defs');
  const cp = s('clipPath', { id: clip });
  cp.append(s('rect', { x: m.l, y: m.t - 4, width: W - m.l - m.r, height: H - m.t - m.b + 8 }));
  defs.append(cp);
  svg.append(defs);
  const body = s('g', { 'clip-path': `url(#${clip})` });
  // Points stay unclipped: one on the frame (a zero on a log axis) must still be whole and clickable.
  const dots = s('g', { class: 'points' });
  svg.append(body, dots);

  for (const l of opts.hlines || []) {
    const py = Y.map(l.y);
    body.append(s('line', { x1: m.l, x2: W - m.r, y1: py, y2: py, class: 'refline', stroke: l.color || '#dc2626' }));
    if (l.label) body.append(s('text', { x: W - m.r - 4, y: py - 4, 'text-anchor': 'end', class: 'ref-label', fill: l.color || '#dc2626' }, l.label));
  }
  for (const l of opts.vlines || []) {
    const px = X.map(l.x);
    body.append(s('line', { x1: px, x2: px, y1: m.t, y2: H - m.b, class: 'refline', stroke: l.color || '#dc2626' }));
    if (l.label) body.append(s('text', { x: px + 4, y: m.t + 12, class: 'ref-label', fill: l.color || '#dc2626' }, l.label));
  }

  series.forEach((se, i) => {
    const color = se.color || PALETTE[i % PALETTE.length];
    const pts = se.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (se.mode !== 'points' && pts.length) {
      const d = pts.map((p) => `${X.map(p[0]).toFixed(1)},${Y.map(p[1]).toFixed(1)}`).join(' ');
      body.append(s('polyline', { points: d, fill: 'none', stroke: color, 'stroke-width': se.width || 1.8, 'stroke-dasharray': se.dash, 'stroke-linejoin': 'round' }));
    }
    if (se.mode === 'points' || se.mode === 'both' || (se.mode !== 'line' && pts.length === 1)) {
      pts.forEach((p, j) => {
        const c = s('circle', { cx: X.map(p[0]), cy: Y.map(p[1]), r: se.radius || 4, fill: p[2]?.color || color, class: se.onClick ? 'point clickable' : 'point' });
        if (se.title) c.append(s('title', {}, se.title(p, j)));
        if (se.onClick) c.addEventListener('click', (ev) => { ev.stopPropagation(); se.onClick(p, j); });
        dots.append(c);
      });
    }
  });

  for (const mk of opts.markers || []) {
    const px = X.map(mk.x), py = Y.map(mk.y);
    dots.append(s('circle', { cx: px, cy: py, r: 6, fill: 'none', stroke: mk.color || '#111827', 'stroke-width': 2 }));
    // Below and to the side away from the nearer edge, so it clears reference-line labels at the top right.
    const left = px > (m.l + W - m.r) / 2;
    if (mk.label) body.append(s('text', { x: left ? px - 9 : px + 9, y: Math.min(H - m.b - 4, py + 18), 'text-anchor': left ? 'end' : 'start', class: 'ref-label', fill: mk.color || '#111827' }, mk.label));
  }

  if (withLegend) {
    const g = s('g', { class: 'legend' });
    let x = m.l;
    named.forEach((se) => {
      const color = se.color || PALETTE[series.indexOf(se) % PALETTE.length];
      g.append(s('rect', { x, y: 6, width: 10, height: 10, fill: color, rx: 2 }));
      const t = s('text', { x: x + 14, y: 15 }, se.name);
      g.append(t);
      x += 24 + se.name.length * 6.5;
    });
    svg.append(g);
  }

  if (opts.onPick) {
    svg.classList.add('pickable');
    svg.onclick = (ev) => {
      const r = svg.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * W, py = ((ev.clientY - r.top) / r.height) * H;
      let best = null;
      series.forEach((se, si) => se.points.forEach((p, pi) => {
        const d = (X.map(p[0]) - px) ** 2 + (Y.map(p[1]) - py) ** 2;
        if (!best || d < best.d) best = { d, si, pi };
      }));
      if (best) opts.onPick(series[best.si], best.pi);
    };
  }
  if (!series.some((se) => se.points.length) && opts.empty) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, opts.empty));
  }
  return { x: X, y: Y };
}

function fitCanvas(canvas, height) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, Math.round(canvas.clientWidth || 640));
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h: height };
}

/** Min/max envelope per pixel column, so a long clip stays honest at any width. */
export function drawWaveform(canvas, samples, { height = 90, color = '#2563eb' } = {}) {
  const { ctx, w, h } = fitCanvas(canvas, height);
  ctx.fillStyle = '#f8fafc';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#cbd5e1';
  ctx.beginPath(); ctx.moveTo(0, h / 2); ctx.lineTo(w, h / 2); ctx.stroke();
  if (!samples || !samples.length) return;
  ctx.fillStyle = color;
  const per = samples.length / w;
  for (let x = 0; x < w; x++) {
    let lo = 1, hi = -1;
    const a = Math.floor(x * per), b = Math.max(a + 1, Math.floor((x + 1) * per));
    for (let i = a; i < b && i < samples.length; i++) { const v = samples[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    if (hi < lo) continue;
    const y1 = (1 - hi) * h / 2, y2 = (1 - lo) * h / 2;
    ctx.fillRect(x, y1, 1, Math.max(1, y2 - y1));
  }
  canvas.setAttribute('data-samples', String(samples.length));
}

// A perceptually ordered dark-blue → yellow ramp, so loud reads as bright.
const RAMP = [[13, 8, 35], [60, 15, 110], [130, 35, 120], [200, 65, 90], [245, 130, 45], [250, 225, 80]];
function ramp(t) {
  const u = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(u)), f = u - i;
  return RAMP[i].map((c, k) => c + (RAMP[i + 1][k] - c) * f);
}

/** spec: {frames, bins, data: Float32Array of dB frames×bins, sampleRate} from audio.spectrogram(). */
export function drawSpectrogram(canvas, spec, { height = 130, floorDb = -90 } = {}) {
  const { ctx, w, h } = fitCanvas(canvas, height);
  ctx.fillStyle = '#0d0823';
  ctx.fillRect(0, 0, w, h);
  if (!spec || !spec.frames) return;
  const img = ctx.createImageData(spec.frames, spec.bins);
  let top = -Infinity;
  for (const v of spec.data) if (v > top) top = v;
  const bottom = Math.max(floorDb, top - 80);
  for (let f = 0; f < spec.frames; f++) {
    for (let b = 0; b < spec.bins; b++) {
      const [r, g, bl] = ramp((spec.data[f * spec.bins + b] - bottom) / (top - bottom));
      const o = ((spec.bins - 1 - b) * spec.frames + f) * 4;
      img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = bl; img.data[o + 3] = 255;
    }
  }
  const off = document.createElement('canvas');
  off.width = spec.frames; off.height = spec.bins;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, w, h);
  ctx.fillStyle = 'rgba(255,255,255,0.8)';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(`${(spec.sampleRate / 2000).toFixed(0)} kHz`, 4, 12);
  ctx.fillText('0', 4, h - 4);
  canvas.setAttribute('data-frames', String(spec.frames));
}
