// Audio on the page: WAV decode/encode, our own FFT and spectrogram, playback of server
// clips, and microphone capture delivered as 16 kHz int16 chunks whatever the device rate.

import { api, apiUrl } from './client.js';

export const RATE = 16000;

/** Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit or float 32/64) to mono float samples. */
export function decodeWav(buffer) {
  const v = new DataView(buffer);
  const tag = (o) => String.fromCharCode(v.getUint8(o), v.getUint8(o + 1), v.getUint8(o + 2), v.getUint8(o + 3));
  if (buffer.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file (no RIFF/WAVE header)');
  let fmt = null, data = null;
  for (let o = 12; o + 8 <= buffer.byteLength;) {
    const id = tag(o), size = v.getUint32(o + 4, true);
    if (id === 'fmt ') {
      fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true), bits: v.getUint16(o + 22, true) };
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of the sub-format GUID.
      if (fmt.format === 0xfffe && size >= 26) fmt.format = v.getUint16(o + 32, true);
    } else if (id === 'data') {
      data = { offset: o + 8, size: Math.min(size, buffer.byteLength - o - 8) };
    }
    o += 8 + size + (size & 1);
  }
  if (!fmt || !data) throw new Error('WAV file without fmt or data chunk');
  const bytes = fmt.bits / 8, frames = Math.floor(data.size / (bytes * fmt.channels));
  const out = new Float32Array(frames);
  const read = {
    '1:8': (o) => (v.getUint8(o) - 128) / 128,
    '1:16': (o) => v.getInt16(o, true) / 32768,
    '1:24': (o) => ((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16))) / 8388608,
    '1:32': (o) => v.getInt32(o, true) / 2147483648,
    '3:32': (o) => v.getFloat32(o, true),
    '3:64': (o) => v.getFloat64(o, true),
  }[`${fmt.format}:${fmt.bits}`];
  if (!read) throw new Error(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bits)`);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += read(data.offset + (i * fmt.channels + c) * bytes);
    out[i] = sum / fmt.channels;
  }
  return { sampleRate: fmt.rate, channels: fmt.channels, samples: out };
}

/** 16-bit mono WAV from float or int16 samples. */
export function encodeWav(samples, sampleRate = RATE) {
  const n = samples.length;
  const buf = new ArrayBuffer(44 + n * 2);
  const v = new DataView(buf);
  const put = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  put(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); put(8, 'WAVE');
  put(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true); v.setUint32(28, sampleRate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
  put(36, 'data'); v.setUint32(40, n * 2, true);
  const int = samples instanceof Int16Array;
  for (let i = 0; i < n; i++) v.setInt16(44 + i * 2, int ? samples[i] : toInt16(samples[i]), true);
  return new Blob([buf], { type: 'audio/wav' });
}

const toInt16 = (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32767)));

/** In-place iterative radix-2 FFT on separate real/imaginary arrays (length a power of two). */
export function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len, wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
        const nr = cr * wr - ci * wi; ci = cr * wi + ci * wr; cr = nr;
      }
    }
  }
}

/** Power spectrogram in dB: 25 ms Hann windows every 10 ms, as the model's frontend frames audio. */
export function spectrogram(samples, sampleRate, { windowMs = 25, hopMs = 10 } = {}) {
  const win = Math.round((sampleRate * windowMs) / 1000), hop = Math.round((sampleRate * hopMs) / 1000);
  let n = 1; while (n < win) n <<= 1;
  const bins = n / 2;
  const frames = Math.max(0, Math.floor((samples.length - win) / hop) + 1);
  const data = new Float32Array(frames * bins);
  const hann = Float32Array.from({ length: win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (win - 1)));
  const re = new Float32Array(n), im = new Float32Array(n);
  for (let f = 0; f < frames; f++) {
    re.fill(0); im.fill(0);
    for (let i = 0; i < win; i++) re[i] = samples[f * hop + i] * hann[i];
    fft(re, im);
    for (let b = 0; b < bins; b++) data[f * bins + b] = 10 * Math.log10(re[b] * re[b] + im[b] * im[b] + 1e-12);
  }
  return { frames, bins, data, sampleRate };
}

/** Fetches a project clip (optionally a slice) through the API and decodes it. */
export async function loadClip(path, from_s, to_s) {
  const res = await api('/audio', { params: { path, from_s, to_s }, raw: true });
  return decodeWav(await res.arrayBuffer());
}

let player = null;
/** Plays a server clip; a second call stops the first so clips never overlap. */
export function playClip(path, from_s, to_s) {
  if (player) player.pause();
  const params = { path };
  if (from_s !== undefined) params.from_s = Math.max(0, from_s).toFixed(3);
  if (to_s !== undefined) params.to_s = to_s.toFixed(3);
  player = new Audio(apiUrl('/api/v1/audio', params));
  player.play().catch((e) => { if (e.name !== 'AbortError') console.warn('playback', e); });
  return player;
}

/**
 * Streaming resampler to 16 kHz. Downsampling first low-passes with a windowed-sinc FIR so
 * 44.1/48 kHz microphones do not fold energy above 8 kHz into the band the model hears.
 */
export class Resampler {
  constructor(inRate, outRate = RATE) {
    this.ratio = inRate / outRate;
    this.pos = 0; // fractional read position in `hist` for the next output sample
    this.hist = new Float32Array(0);
    const taps = this.ratio > 1 ? 63 : 1;
    const fc = 0.45 / this.ratio; // cutoff as a fraction of the input rate, a little under the new Nyquist
    this.kernel = new Float32Array(taps);
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const m = i - (taps - 1) / 2;
      const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
      const w = taps === 1 ? 1 : 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
      this.kernel[i] = sinc * w; sum += sinc * w;
    }
    for (let i = 0; i < taps; i++) this.kernel[i] /= sum;
  }

  /** Feed input samples, get the 16 kHz samples they complete. */
  push(input) {
    if (this.ratio === 1) return Float32Array.from(input);
    const taps = this.kernel.length;
    const hist = new Float32Array(this.hist.length + input.length);
    hist.set(this.hist); hist.set(input, this.hist.length);
    const out = [];
    // Output sample k is centred at hist[pos]; it needs (taps-1)/2 samples on each side.
    const half = (taps - 1) / 2;
    while (this.pos + half + 1 < hist.length) {
      const i0 = Math.floor(this.pos), frac = this.pos - i0;
      const at = (c) => {
        let acc = 0;
        for (let t = 0; t < taps; t++) { const j = c - half + t; if (j >= 0) acc += hist[j] * this.kernel[t]; }
        return acc;
      };
      out.push(at(i0) * (1 - frac) + (frac ? at(i0 + 1) * frac : 0));
      this.pos += this.ratio;
    }
    const drop = Math.max(0, Math.floor(this.pos) - half - 1);
    this.hist = hist.slice(drop);
    this.pos -= drop;
    return Float32Array.from(out);
  }
}

/**
 * Microphone → int16 LE chunks of `chunkMs` at 16 kHz, handed to onChunk(Int16Array).
 * Asks the browser for a 16 kHz context first (no resampling then), else resamples itself.
 * Returns {stop(), contextRate}.
 */
export async function startMicrophone(onChunk, { chunkMs = 30 } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives the page no microphone (getUserMedia needs http://localhost or https)');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  let ctx;
  try { ctx = new AudioContext({ sampleRate: RATE }); } catch (_) { ctx = new AudioContext(); }
  if (ctx.state === 'suspended') await ctx.resume().catch(() => {});
  const source = ctx.createMediaStreamSource(stream);
  const resampler = new Resampler(ctx.sampleRate, RATE);
  const chunk = Math.round((RATE * chunkMs) / 1000);
  let pending = new Float32Array(0);
  const take = (block) => {
    const out = resampler.push(block);
    const all = new Float32Array(pending.length + out.length);
    all.set(pending); all.set(out, pending.length);
    let o = 0;
    for (; o + chunk <= all.length; o += chunk) {
      const pcm = new Int16Array(chunk);
      for (let i = 0; i < chunk; i++) pcm[i] = toInt16(all[o + i]);
      onChunk(pcm);
    }
    pending = all.slice(o);
  };
  let node;
  if (ctx.audioWorklet) {
    await ctx.audioWorklet.addModule(new URL('./audio-worklet.js', import.meta.url));
    node = new AudioWorkletNode(ctx, 'harken-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    node.port.onmessage = (ev) => take(ev.data);
  } else {
    // Older engines without worklets: the deprecated processor still delivers the samples.
    node = ctx.createScriptProcessor(1024, 1, 1);
    node.onaudioprocess = (ev) => take(Float32Array.from(ev.inputBuffer.getChannelData(0)));
  }
  source.connect(node);
  // A muted sink keeps the graph pulling samples without echoing the microphone.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  node.connect(mute).connect(ctx.destination);
  return {
    contextRate: ctx.sampleRate,
    async stop() {
      source.disconnect(); node.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      await ctx.close().catch(() => {});
    },
  };
}
