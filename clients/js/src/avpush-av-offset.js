// A lip-sync meter for a page that plays a flash-and-beep stream (avpush's demo segment): beep
// onsets from audio samples, flashes from frames' brightness, each flash paired with the nearest
// beep, and the offsets said in words. Pure functions and one small class; the page supplies the
// samples, the frames' luma and the clock (performance.now() ms).

/**
 * Beep onsets in one batch of audio samples: scans `samples` from the window that holds the
 * newest `fresh` samples, in windows of `window` samples; an onset is the first window whose RMS
 * rises above `on` after the signal was quiet (below `off`). `state.loud` carries the hysteresis
 * from one batch to the next. Returns the start index of each onset window.
 */
export function beepOnsets(samples, fresh, state, {window = 128, on = 0.2, off = 0.1} = {}) {
  const n = samples.length;
  const onsets = [];
  for (let i = n - Math.ceil(Math.min(n, fresh) / window) * window; i < n; i += window) {
    let sum = 0;
    for (let j = i; j < i + window; j++) sum += samples[j] * samples[j];
    const rms = Math.sqrt(sum / window);
    if (!state.loud && rms > on) {
      state.loud = true;
      onsets.push(i);
    } else if (state.loud && rms < off) {
      state.loud = false;
    }
  }
  return onsets;
}

/** Mean luma (BT.601) of RGBA pixels, 0..255. */
export function meanLuma(rgba) {
  let sum = 0;
  for (let i = 0; i < rgba.length; i += 4) sum += 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
  return sum / (rgba.length / 4);
}

/**
 * A flash detector: called with each frame's mean luma, says whether that frame is a flash — above
 * `bright` after a dark frame (below `dark`), so a long white picture counts once.
 */
export function flashDetector({bright = 180, dark = 100} = {}) {
  let wasDark = false;
  return (luma) => {
    const flash = luma > bright && wasDark;
    if (luma < dark) wasDark = true;
    else if (luma > bright) wasDark = false;
    return flash;
  };
}

/**
 * Pairs each flash with the nearest beep within ±`window` ms, once `settle` ms have passed after
 * the flash (its beep may come late); a beep unpaired for `beepTtl` ms is dropped. Offsets are
 * beep minus flash in ms: positive means the audio is late. Keeps the last `keep` offsets.
 */
export class OffsetMeter {
  constructor({window = 500, settle = 800, beepTtl = 3000, keep = 60} = {}) {
    Object.assign(this, {window, settle, beepTtl, keep});
    this.flashes = [];
    this.beeps = [];
    this.offsets = [];
  }

  flash(t) { this.flashes.push(t); }

  beep(t) { this.beeps.push(t); }

  /** Pairs what has settled by `now`; returns the new offsets, oldest first. */
  poll(now) {
    const found = [];
    while (this.flashes.length && this.flashes[0] < now - this.settle) {
      const f = this.flashes.shift();
      let best = -1;
      this.beeps.forEach((b, i) => {
        if (Math.abs(b - f) <= this.window && (best < 0 || Math.abs(b - f) < Math.abs(this.beeps[best] - f))) best = i;
      });
      if (best >= 0) {
        const offset = this.beeps[best] - f;
        this.beeps.splice(best, 1);
        this.offsets.push(offset);
        if (this.offsets.length > this.keep) this.offsets.shift();
        found.push(offset);
      }
    }
    while (this.beeps.length && this.beeps[0] < now - this.beepTtl) this.beeps.shift();
    return found;
  }

  /** The median of the kept offsets (the upper one of an even count), or null. */
  median() {
    if (!this.offsets.length) return null;
    return [...this.offsets].sort((a, b) => a - b)[this.offsets.length >> 1];
  }

  reset() {
    this.flashes.length = this.beeps.length = this.offsets.length = 0;
  }
}

/** An offset in words: "in sync", or "audio 42 ms late" / "audio 12 ms early". */
export function describeOffset(ms) {
  return Math.abs(ms) < 0.5 ? "in sync" : `audio ${Math.abs(ms).toFixed(0)} ms ${ms > 0 ? "late" : "early"}`;
}

/**
 * The mean jitter-buffer delay (ms) of the samples or frames emitted between two getStats()
 * readings of an inbound-rtp report, from the cumulative `key` (e.g. "jitterBufferDelay", in s)
 * and jitterBufferEmittedCount; the lifetime mean when there is no earlier reading or nothing was
 * emitted since. Null when the report has no such figures.
 */
export function intervalJitterBufferMs(cur, prev, key) {
  if (!cur || cur[key] == null || !cur.jitterBufferEmittedCount) return null;
  const emitted = cur.jitterBufferEmittedCount - (prev?.jitterBufferEmittedCount ?? 0);
  return emitted > 0 && prev ? 1000 * (cur[key] - prev[key]) / emitted : 1000 * cur[key] / cur.jitterBufferEmittedCount;
}

/** Frames per second of an inbound video report: the browser's own figure, else from frames decoded since `prev`. */
export function framesPerSecond(cur, prev) {
  return cur.framesPerSecond ?? (prev ? (cur.framesDecoded - prev.framesDecoded) / ((cur.timestamp - prev.timestamp) / 1000) : null);
}
