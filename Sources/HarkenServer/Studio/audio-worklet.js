// Runs on the audio thread: forwards each 128-frame block of the first channel to the page,
// which resamples and chunks it (so this file stays free of imports).
class HarkenCapture extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch && ch.length) this.port.postMessage(ch.slice(0));
    return true;
  }
}
registerProcessor('harken-capture', HarkenCapture);
