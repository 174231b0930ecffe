// Tiny DOM and number-formatting helpers shared by the screens.

/** h('tag#id.class', {attrs, on*: handlers}, ...children) */
export function h(spec, attrs, ...children) {
  const [tag] = spec.split(/[#.]/);
  const el = document.createElement(tag || 'div');
  for (const part of spec.slice(tag.length).match(/[#.][^#.]+/g) || []) {
    if (part[0] === '#') el.id = part.slice(1);
    else el.classList.add(part.slice(1));
  }
  if (attrs !== undefined && attrs !== null && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function debounce(fn, ms) {
  let t = 0;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

/** Fill a <select> keeping the current choice when it still exists. */
export function setOptions(select, items, { value, label = (x) => x, key = (x) => x, empty } = {}) {
  const keep = value !== undefined ? value : select.value;
  clear(select);
  if (empty) select.append(h('option', { value: '' }, empty));
  for (const it of items) select.append(h('option', { value: key(it) }, label(it)));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  return select;
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

export const fmt = {
  int: (x) => (isNum(x) ? Math.round(x).toLocaleString('en-US') : '–'),
  pct: (x, digits = 1) => (isNum(x) ? `${(x * 100).toFixed(digits)} %` : '–'),
  fixed: (x, digits = 2) => (isNum(x) ? x.toFixed(digits) : '–'),
  perHour: (x) => (isNum(x) ? `${x.toFixed(2)} /h` : '–'),
  seconds(s) {
    if (!isNum(s)) return '–';
    if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
    return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  },
  bytes(b) {
    if (!isNum(b)) return '–';
    if (b < 1024) return `${b} B`;
    if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
    if (b < 1024 ** 3) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
    return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  },
  hz(x) {
    if (!isNum(x)) return '–';
    return x >= 1e6 ? `${(x / 1e6).toFixed(0)} MHz` : `${(x / 1e3).toFixed(0)} kHz`;
  },
  micros(us) {
    if (!isNum(us)) return '–';
    return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
  },
  date(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' });
  },
  count: (n, word) => `${fmt.int(n)} ${word}${n === 1 ? '' : 's'}`,
};

/** A table body from rows of cells; a header from names (strings or {text, key} for sortable ones). */
export function table(id, columns, rows) {
  return h(`table#${id}.grid`,
    h('thead', h('tr', columns.map((c) => h('th', typeof c === 'string' ? c : c.text)))),
    h('tbody', rows));
}

/** Marks a screen as loaded for people (spinner off) and for the browser tests. */
export function ready(root) {
  root.setAttribute('data-ready', '1');
  root.classList.remove('loading');
}

/** An empty <svg> for plot.chart() (document.createElement would make an HTML element, not SVG). */
export function svg(id, cls = 'plot') {
  const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  if (id) el.id = id;
  el.setAttribute('class', cls);
  return el;
}
