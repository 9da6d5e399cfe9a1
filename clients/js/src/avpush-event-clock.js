// The session's events handed on at their frame's display.
//
// Why: the server publishes segment-started / segment-finished / segment-interrupted / speaking /
// stream-gap at the push of the frame they concern, and the data channel delivers them within a
// few ms of that push. The viewer sees that frame later: after the network and the video jitter
// buffer (~120 ms in Chromium, more on a bad network). Acting on an event when it arrives (a
// caption, a "speaking" light) is then that much early.
//
// What: every such event carries `frame` and `timeMs` (the server's wall clock at the frame's
// push). Every video frame carries its RTP timestamp, which libwebrtc derives from the same push
// instant (90 per ms). Two offsets map both onto this page's clock without trusting either wall
// clock: for events, min(arrival - timeMs); for frames, min(receiveTime - rtpTimestamp / 90)
// (requestVideoFrameCallback metadata). The minima over the last `windowMs` are the fastest
// deliveries, so a late packet or event does not move them, and a slow clock drift is followed.
// An event is handed on at the display callback of the first frame pushed no earlier than half a
// frame before it: on the frame the viewer sees it with (one frame later when the page's main
// thread missed that frame's callback). Events without a frame (queued, viewer-joined, av-diff,
// ...) are handed on at once. Without requestVideoFrameCallback's rtpTimestamp/receiveTime (other
// browsers), a framed event is held for the video receiver's current jitter-buffer delay instead
// (getStats), which is close but not frame-exact; `shownBy` says which way each event was timed.
//
// EventClock is that logic without the DOM (times are passed in); attachEvents wires it to a peer
// connection, a <video> and the events data channel. avpush-viewer.js uses it, and so does the
// plain script avpush-events.js (window.AvpushEvents.attach) for pages without modules.
//
// Each event is handed on as onEvent(event, info) with info = {arrivedAt, shownAt, shownBy, laterMs,
// rtpTimestamp}: performance.now() times; shownAt is the expected display time of the event's
// frame (null when not timed by a frame); shownBy is 'frame', 'jitter-buffer', 'arrival' or
// 'timeout'; laterMs: how much later than the event's own frame the frame it was handed on with was
// pushed (about 0, or one frame period or more when the page missed callbacks); rtpTimestamp: that
// frame's.

const RTP_TICKS_PER_MS = 90;
const RTP_HALF_RANGE = 0x80000000;
const RTP_RANGE = 0x100000000;

/**
 * The minimum of (time, value) samples over the last windowMs, kept in buckets of windowMs / 8.
 * Example (window 8000): add(0, 5), add(1500, 3), add(9000, 7) -> value() is 3 (the sample at 0
 * has left the window, the one at 1500 has not).
 */
export function slidingMin(windowMs) {
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

/**
 * RTP timestamps (32 bits, wrapping) as 90 kHz ticks since the first one, across wraps either way.
 * Example: 4294967000 -> 0, then 296 -> 592 (the clock wrapped past 2^32 in between), then
 * 4294967100 -> 100 (a packet from before the wrap).
 */
export function rtpUnwrapper() {
  let base = null;
  let last = 0;
  let wraps = 0;
  return (rtp) => {
    if (base === null) { base = rtp; last = rtp; }
    if (rtp < last && last - rtp > RTP_HALF_RANGE) wraps++;
    else if (rtp > last && rtp - last > RTP_HALF_RANGE) wraps--;
    last = rtp;
    return rtp + wraps * RTP_RANGE - base;
  };
}

/**
 * The video's jitter-buffer delay per frame (ms) since the previous counters, from an inbound-rtp
 * video stats entry: 1000 * (delay - previous delay) / (emitted - previous emitted).
 * Example: {jitterBufferDelay: 12.0, jitterBufferEmittedCount: 100} after {delay: 9.0, emitted: 70}
 * -> delayMs 100. Returns {delayMs (null when no frame came out), counters (the next previous)}.
 */
export function videoJitterBufferDelay(previous, inbound) {
  const counters = {emitted: inbound.jitterBufferEmittedCount || 0, delay: inbound.jitterBufferDelay || 0};
  const emitted = counters.emitted - (previous ? previous.emitted : 0);
  const delayMs = emitted > 0 ? 1000 * (counters.delay - (previous ? previous.delay : 0)) / emitted : null;
  return {delayMs, counters};
}

/** When each event is handed on, from the times it is given; see the file's comment. */
export class EventClock {
  /**
   * windowMs: the offsets' window (30 s); timeoutMs: how long an event waits for its frame (3 s);
   * halfFrameMs: half a frame period (of 30 fps: 1000 / 60); frameCallbacks: whether the browser
   * has requestVideoFrameCallback at all.
   */
  constructor({windowMs = 30000, timeoutMs = 3000, halfFrameMs = 1000 / 60, frameCallbacks = true} = {}) {
    this.options = {windowMs, timeoutMs, halfFrameMs, frameCallbacks};
    this.eventOffset = slidingMin(windowMs); // page clock - server clock (+ fastest delivery)
    this.frameOffset = slidingMin(windowMs); // page clock - RTP clock / 90 (+ fastest delivery)
    this.unwrap = rtpUnwrapper();
    this.pending = []; // framed events not yet handed on, in arrival order: {event, arrivedAt}
    this.framesSeen = 0;
    this.frameTimed = false; // frames come with rtpTimestamp and receiveTime
    /** The fallback's wait: the video's jitter-buffer delay per frame (ms), or null before stats. */
    this.videoDelayMs = null;
  }

  /**
   * An event arrived at arrivedAt. Returns how to hand it on: {shownBy: 'arrival'} now,
   * {shownBy: 'jitter-buffer', afterMs} after that wait, or null when it is held for its frame.
   */
  arrived(event, arrivedAt) {
    if (typeof event.timeMs === 'number') this.eventOffset.add(arrivedAt, arrivedAt - event.timeMs);
    if (event.frame === undefined || event.frame === null) return {shownBy: 'arrival'};
    if (!this.frameTimed && (this.framesSeen > 0 || !this.options.frameCallbacks)) {
      // No per-frame timing in this browser: hold the event for the video's jitter-buffer delay.
      return this.videoDelayMs === null ? {shownBy: 'arrival'} : {shownBy: 'jitter-buffer', afterMs: this.videoDelayMs};
    }
    this.pending.push({event, arrivedAt});
    return null;
  }

  /**
   * A frame is displayed (requestVideoFrameCallback's now and metadata). Returns the events handed
   * on with it, as [{event, info}], then those that waited too long for their frame.
   */
  frame(now, md) {
    const out = [];
    this.framesSeen++;
    if (md.rtpTimestamp !== undefined && md.receiveTime !== undefined && md.receiveTime > 0) {
      this.frameTimed = true;
      const ticks = this.unwrap(md.rtpTimestamp);
      this.frameOffset.add(md.receiveTime, md.receiveTime - ticks / RTP_TICKS_PER_MS);
      const eo = this.eventOffset.value();
      const fo = this.frameOffset.value();
      if (eo !== null && fo !== null) {
        // This frame's push instant on the page clock, and each event's.
        const framePush = ticks / RTP_TICKS_PER_MS + fo;
        const half = this.options.halfFrameMs;
        while (this.pending.length && this.pending[0].event.timeMs + eo <= framePush + half) {
          const p = this.pending.shift();
          // A frame later than the event's own means the page missed that frame's callback (its
          // main thread was busy): the viewer saw the event's frame that much earlier.
          const laterMs = framePush - (p.event.timeMs + eo);
          out.push(delivery(p, md.expectedDisplayTime - (laterMs > half ? laterMs : 0), 'frame', laterMs, md.rtpTimestamp));
        }
      }
    }
    return out.concat(this.expire(now));
  }

  /** Events whose frame never showed within timeoutMs (video paused, tab hidden), handed on now. */
  expire(now) {
    const out = [];
    while (this.pending.length && now - this.pending[0].arrivedAt > this.options.timeoutMs) {
      out.push(delivery(this.pending.shift(), null, this.frameTimed ? 'timeout' : 'arrival'));
    }
    return out;
  }

  state() {
    return {frames: this.framesSeen, frameTimed: this.frameTimed, pending: this.pending.length,
      eventOffsetMs: this.eventOffset.value(), frameOffsetMs: this.frameOffset.value(), videoDelayMs: this.videoDelayMs};
  }
}

function delivery(p, shownAt, shownBy, laterMs = null, rtpTimestamp = null) {
  return {event: p.event, info: {arrivedAt: p.arrivedAt, shownAt, shownBy, laterMs, rtpTimestamp}};
}

/**
 * Hands the events of `channel` (the negotiated "avpush-events" data channel of `pc`) to
 * onEvent(event, info) at the display of their frame in `video`. options: EventClock's.
 * Returns {stop(), state(), receive(data, arrivedAt)}; receive takes a message that arrived
 * before this was attached (its text and performance.now() arrival time).
 */
export function attachEvents(pc, video, channel, onEvent, options = {}) {
  const frameCallbacks = typeof video.requestVideoFrameCallback === 'function';
  const clock = new EventClock({...options, frameCallbacks});
  let stopped = false;
  let statsCounters = null;

  function deliver({event, info}) {
    try {
      onEvent(event, info);
    } catch (err) {
      console.error('avpush event handler failed', err);
    }
  }

  function receive(data, arrivedAt) {
    if (stopped) return;
    let event;
    try { event = JSON.parse(data); } catch (err) { return; }
    const how = clock.arrived(event, arrivedAt);
    if (how === null) return;
    if (how.shownBy === 'arrival') deliver({event, info: {arrivedAt, shownAt: null, shownBy: 'arrival', laterMs: null, rtpTimestamp: null}});
    else setTimeout(() => deliver({event, info: {arrivedAt, shownAt: performance.now(), shownBy: 'jitter-buffer', laterMs: null, rtpTimestamp: null}}), how.afterMs);
  }

  const onMessage = (m) => receive(m.data, performance.now());

  function onFrame(now, md) {
    if (stopped) return;
    clock.frame(now, md).forEach(deliver);
    video.requestVideoFrameCallback(onFrame);
  }

  async function pollStats() {
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      const {delayMs, counters} = videoJitterBufferDelay(statsCounters, s);
      if (delayMs !== null) clock.videoDelayMs = delayMs;
      statsCounters = counters;
    });
  }

  channel.addEventListener('message', onMessage);
  if (frameCallbacks) video.requestVideoFrameCallback(onFrame);
  const timer = setInterval(() => {
    if (stopped || pc.connectionState === 'closed') return;
    clock.expire(performance.now()).forEach(deliver);
    pollStats().catch(() => {});
  }, 1000);

  return {
    stop() { stopped = true; clearInterval(timer); channel.removeEventListener('message', onMessage); },
    state() { return clock.state(); },
    receive,
  };
}
