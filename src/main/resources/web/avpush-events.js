// avpush events shown with their frames (served at /static/avpush-events.js; plain script, no module).
//
// Why: the server publishes segment-started / segment-finished / segment-interrupted / speaking /
// stream-gap at the push of the frame they concern, and the data channel delivers them within a
// few ms of that push. The viewer sees that frame later: after the network and the video jitter
// buffer (~120 ms in Chromium with avpush's settings, more on a bad network). Acting on an event
// when it arrives (a caption, a "speaking" light) is then that much early.
//
// What: every such event carries `frame` and `timeMs` (the server's wall clock at the frame's
// push). Every video frame carries its RTP timestamp, which libwebrtc derives from the same push
// instant (90 per ms). Two offsets map both onto this page's clock without trusting either
// wall clock: for events, min(arrival - timeMs); for frames, min(receiveTime - rtpTimestamp / 90)
// (requestVideoFrameCallback metadata). The minima over the last `windowMs` are the fastest
// deliveries, so a late packet or event does not move them, and a slow clock drift is followed.
// An event is handed on at the display callback of the first frame pushed no earlier than half a
// frame before it: on the frame the viewer sees it with (one frame later when the page's main
// thread missed that frame's callback). Events without a frame (queued, viewer-joined, av-diff,
// ...) are handed on at once.
// Without requestVideoFrameCallback's rtpTimestamp/receiveTime (other browsers), a framed event is
// held for the video receiver's current jitter-buffer delay instead (getStats), which is close
// but not frame-exact; `shownBy` says which way each event was timed.
//
// Use: const ev = AvpushEvents.attach(pc, videoElement, dataChannel, (event, info) => { ... });
//      info = {arrivedAt, shownAt, shownBy: 'frame' | 'jitter-buffer' | 'arrival' | 'timeout', laterMs, rtpTimestamp}
//      (performance.now() times; shownAt is the expected display time of the event's frame;
//      laterMs: how much later than the event's own frame the frame it was handed on with was pushed
//      — about 0, or one frame period or more when the page missed callbacks; rtpTimestamp: that frame's).
//      ev.state() -> {frames, pending, eventOffsetMs, frameOffsetMs}; ev.stop();
(function (global) {
  'use strict';

  // Minimum of (time, value) samples over the last windowMs, in buckets of windowMs / 8.
  function slidingMin(windowMs) {
    const bucketMs = windowMs / 8;
    let buckets = []; // {start, min}
    return {
      add(t, v) {
        const last = buckets[buckets.length - 1];
        if (last && t - last.start < bucketMs) last.min = Math.min(last.min, v);
        else buckets.push({start: t, min: v});
        buckets = buckets.filter((b) => t - b.start < windowMs);
      },
      value() {
        return buckets.length ? Math.min(...buckets.map((b) => b.min)) : null;
      },
    };
  }

  function attach(pc, video, channel, onEvent, options) {
    const o = Object.assign({windowMs: 30000, timeoutMs: 3000, halfFrameMs: 1000 / 60}, options || {});
    const eventOffset = slidingMin(o.windowMs); // page clock - server clock (+ fastest delivery)
    const frameOffset = slidingMin(o.windowMs); // page clock - RTP clock / 90 (+ fastest delivery)
    const pending = [];                         // framed events not yet shown, in arrival order
    let rtpBase = null;                         // first RTP timestamp seen, to unwrap the 32-bit clock
    let lastRtp = 0;
    let rtpWraps = 0;
    let framesSeen = 0;
    let frameTimed = false;                     // rtpTimestamp and receiveTime are available
    let videoDelayMs = null;                    // fallback: jitter-buffer delay per frame (getStats)
    let stopped = false;
    const prevStats = {};
    const hasFrameCallback = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;

    function deliver(event, arrivedAt, shownAt, shownBy, laterMs, rtpTimestamp) {
      try {
        onEvent(event, {arrivedAt, shownAt, shownBy, laterMs: laterMs === undefined ? null : laterMs,
          rtpTimestamp: rtpTimestamp === undefined ? null : rtpTimestamp});
      } catch (err) {
        console.error('avpush event handler failed', err);
      }
    }

    // RTP timestamps as a number of 90 kHz ticks since the first frame, across 32-bit wraps.
    function unwrap(rtp) {
      if (rtpBase === null) { rtpBase = rtp; lastRtp = rtp; }
      if (rtp < lastRtp && lastRtp - rtp > 0x80000000) rtpWraps++;
      else if (rtp > lastRtp && rtp - lastRtp > 0x80000000) rtpWraps--;
      lastRtp = rtp;
      return rtp + rtpWraps * 0x100000000 - rtpBase;
    }

    function onMessage(m) {
      if (stopped) return;
      const arrivedAt = performance.now();
      let event;
      try { event = JSON.parse(m.data); } catch (err) { return; }
      if (typeof event.timeMs === 'number') eventOffset.add(arrivedAt, arrivedAt - event.timeMs);
      if (event.frame === undefined || event.frame === null) {
        deliver(event, arrivedAt, null, 'arrival');
      } else if (!frameTimed && (framesSeen > 0 || !hasFrameCallback)) {
        // No per-frame timing in this browser: hold the event for the video's jitter-buffer delay.
        if (videoDelayMs === null) deliver(event, arrivedAt, null, 'arrival');
        else setTimeout(() => deliver(event, arrivedAt, performance.now(), 'jitter-buffer'), videoDelayMs);
      } else {
        pending.push({event, arrivedAt});
      }
    }

    function onFrame(now, md) {
      if (stopped) return;
      framesSeen++;
      if (md.rtpTimestamp !== undefined && md.receiveTime !== undefined && md.receiveTime > 0) {
        frameTimed = true;
        const ticks = unwrap(md.rtpTimestamp);
        frameOffset.add(md.receiveTime, md.receiveTime - ticks / 90);
        const eo = eventOffset.value();
        const fo = frameOffset.value();
        if (eo !== null && fo !== null) {
          // This frame's push instant on the page clock, and each event's.
          const framePush = ticks / 90 + fo;
          while (pending.length && pending[0].event.timeMs + eo <= framePush + o.halfFrameMs) {
            const p = pending.shift();
            // A frame later than the event's own means the page missed that frame's callback (its
            // main thread was busy): the viewer saw the event's frame that much earlier.
            const laterMs = framePush - (p.event.timeMs + eo);
            deliver(p.event, p.arrivedAt, md.expectedDisplayTime - (laterMs > o.halfFrameMs ? laterMs : 0), 'frame', laterMs,
              md.rtpTimestamp);
          }
        }
      }
      expire(now);
      video.requestVideoFrameCallback(onFrame);
    }

    // An event whose frame never shows (video paused, tab hidden, no frame timing) is not kept forever.
    function expire(now) {
      while (pending.length && now - pending[0].arrivedAt > o.timeoutMs) {
        const p = pending.shift();
        deliver(p.event, p.arrivedAt, null, frameTimed ? 'timeout' : 'arrival');
      }
    }

    async function pollStats() {
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        const emitted = (s.jitterBufferEmittedCount || 0) - (prevStats.emitted || 0);
        if (emitted > 0) videoDelayMs = 1000 * ((s.jitterBufferDelay || 0) - (prevStats.delay || 0)) / emitted;
        prevStats.emitted = s.jitterBufferEmittedCount || 0;
        prevStats.delay = s.jitterBufferDelay || 0;
      });
    }

    channel.addEventListener('message', onMessage);
    if (hasFrameCallback) video.requestVideoFrameCallback(onFrame);
    const timer = setInterval(() => {
      if (stopped || pc.connectionState === 'closed') return;
      expire(performance.now());
      pollStats().catch(() => {});
    }, 1000);

    return {
      stop() { stopped = true; clearInterval(timer); channel.removeEventListener('message', onMessage); },
      state() {
        return {frames: framesSeen, frameTimed, pending: pending.length, eventOffsetMs: eventOffset.value(),
          frameOffsetMs: frameOffset.value(), videoDelayMs};
      },
    };
  }

  global.AvpushEvents = {attach};
})(typeof window !== 'undefined' ? window : globalThis);
