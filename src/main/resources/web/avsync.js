// avpush lip-sync loop for a browser viewer (served at /static/avsync.js; plain script, no module).
//
// Why: avpush sends audio and video as separate streams (no browser A/V sync, see README "How
// sync works"), so each plays at its own jitter-buffer delay. The video delay is steady, but the
// audio jitter buffer (NetEq) lets its delay sit anywhere in a band of tens of ms above its target
// and moves within it after every disturbance (a late packet burst, a stall): the picture and the
// sound then drift and step apart. Measured in headless Chromium, the A/V offset follows
// (audio jitter-buffer delay - video jitter-buffer delay) almost one to one.
//
// What: every 250 ms this loop reads both receivers' jitter-buffer delay over the last interval
// (getStats: jitterBufferDelay / jitterBufferEmittedCount) and moves the video receiver's
// jitterBufferTarget so that audio delay - video delay stays at `differenceMs`: the picture
// follows the sound. 43 ms with avpush's default video-delay (90 ms) put the measured offset's
// median at +4 ms in headless Chromium (README "How sync works"). Changes are limited to `maxStepMs` per interval, so the picture slows or
// hurries smoothly instead of jumping; while the error is beyond what a viewer notices
// (`fastAboveMs`, e.g. after a CPU stall made NetEq raise its delay by 100-150 ms at once) the
// limit is `fastStepMs` (100 ms/s, as fast as libwebrtc's video timing moves its delay anyway):
// ten per cent slow motion for a second or two instead of speech 100 ms ahead of the lips for
// five; but not toward an audio delay that is falling (`drainGuard`: NetEq's start-up peak drains
// by itself, and chasing it put the first marker 7-39 ms early). The audio receiver keeps a fixed target.
//
// Use: const loop = AvpushSync.attach(pc, {audioTargetMs: 120});  ...  loop.stop();
//      loop.state() -> {audioMs, videoMs, videoTargetMs, errorMs, adjustments}
(function (global) {
  'use strict';

  function attach(pc, options) {
    // Firefox (153 ESR, measured with FirefoxSyncIT) shows the picture ~38 ms later than Chromium
    // for the same jitter-buffer delays: with Chromium's 43 ms its offset sat at -35...-40 ms in
    // every run (audio early, at R37's edge). It gets 38 ms more difference, taken from a 40 ms
    // higher audio target rather than from the picture's buffer (which would drop to ~30 ms).
    const firefox = typeof navigator !== 'undefined' && /Firefox\//.test(navigator.userAgent || '');
    const browser = firefox ? {differenceMs: 81, audioExtraMs: 40} : {differenceMs: 43, audioExtraMs: 0};
    const o = Object.assign({audioTargetMs: 120, differenceMs: browser.differenceMs, audioExtraMs: browser.audioExtraMs,
      intervalMs: 250, gain: 0.5, maxStepMs: 8, fastAboveMs: 30, fastStepMs: 25, drainGuard: true, rangeBelowMs: 60, rangeAboveMs: 400},
      options || {});
    o.audioTargetMs += o.audioExtraMs;
    // The video target stays within [audioTarget - rangeBelow, audioTarget + rangeAbove]: a video
    // delay that does not follow its target (Chrome lowers it slowly while the picture is static)
    // must not wind the loop up. Above: 400 ms, because NetEq starts at 200-350 ms in a loaded
    // Chromium and at 500-800 ms in Firefox and comes down over ~10 s; the picture follows it.
    const minVideoTargetMs = Math.max(0, o.audioTargetMs - o.rangeBelowMs);
    const maxVideoTargetMs = o.audioTargetMs + o.rangeAboveMs;
    const receiver = (kind) => pc.getReceivers().find((r) => r.track && r.track.kind === kind);
    const prev = {};
    // The picture starts where it will settle (audio target - difference), not at the audio
    // target: starting 43 ms high, the loop's first fast steps down met NetEq still filling up
    // from below its target and overshot (first marker +40...+50 ms, audio late).
    const initialVideoTargetMs = Math.max(minVideoTargetMs, Math.min(maxVideoTargetMs, o.audioTargetMs - o.differenceMs));
    const state = {audioMs: null, videoMs: null, videoTargetMs: initialVideoTargetMs, errorMs: null, adjustments: 0};
    let smoothedError = null;
    let previousAudioMs = null;
    let stopped = false;

    function setTargets() {
      const a = receiver('audio');
      const v = receiver('video');
      if (a && 'jitterBufferTarget' in a) a.jitterBufferTarget = o.audioTargetMs;
      if (v && 'jitterBufferTarget' in v) v.jitterBufferTarget = Math.round(state.videoTargetMs);
    }

    // Delay per emitted sample (audio) or frame (video) over the last interval, in ms; null when
    // nothing was emitted (a paused track) or on the first reading.
    function intervalDelay(s) {
      const p = prev[s.kind];
      prev[s.kind] = {delay: s.jitterBufferDelay || 0, emitted: s.jitterBufferEmittedCount || 0};
      if (!p) return null;
      const emitted = (s.jitterBufferEmittedCount || 0) - p.emitted;
      return emitted > 0 ? 1000 * ((s.jitterBufferDelay || 0) - p.delay) / emitted : null;
    }

    async function step() {
      const report = await pc.getStats();
      let audioMs = null;
      let videoMs = null;
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') audioMs = intervalDelay(s);
        if (s.kind === 'video') videoMs = intervalDelay(s);
      });
      state.audioMs = audioMs;
      state.videoMs = videoMs;
      if (audioMs === null || videoMs === null) return;
      const lastAudioMs = previousAudioMs;
      previousAudioMs = audioMs;
      const error = (audioMs - videoMs) - o.differenceMs;
      smoothedError = smoothedError === null ? error : smoothedError + 0.5 * (error - smoothedError);
      state.errorMs = smoothedError;
      if (Math.abs(smoothedError) < 2) return;
      // No fast catch-up toward an audio delay that is already coming down (NetEq drains its
      // start-up delay of 180-200 ms within a second or two): the picture would overshoot it.
      // Nor, the other way, toward an audio delay still below its target and rising (NetEq
      // filling up at the start, by stretching): it is on its way to the target.
      const draining = o.drainGuard && lastAudioMs !== null && audioMs < lastAudioMs - 5;
      const filling = o.drainGuard && lastAudioMs !== null && audioMs > lastAudioMs + 5 && audioMs < o.audioTargetMs;
      const fast = Math.abs(smoothedError) > o.fastAboveMs && !(draining && smoothedError > 0) && !(filling && smoothedError < 0);
      const limit = fast ? Math.max(o.maxStepMs, o.fastStepMs) : o.maxStepMs;
      const change = Math.max(-limit, Math.min(limit, o.gain * smoothedError));
      state.videoTargetMs = Math.max(minVideoTargetMs, Math.min(maxVideoTargetMs, state.videoTargetMs + change));
      state.adjustments++;
      setTargets();
    }

    setTargets();
    const timer = setInterval(() => {
      if (stopped || pc.connectionState === 'closed') return;
      step().catch(() => {});
    }, o.intervalMs);
    return {
      stop() { stopped = true; clearInterval(timer); },
      state() { return Object.assign({}, state); },
    };
  }

  global.AvpushSync = {attach};
})(typeof window !== 'undefined' ? window : globalThis);
