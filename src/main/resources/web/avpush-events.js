// avpush events shown with their frames, for plain scripts (served at /static/avpush-events.js;
// pages with modules import avpush-viewer.js or avpush-event-clock.js instead).
//
// The logic and its explanation are in avpush-event-clock.js (an ES module, from clients/js/src),
// which this script loads from beside itself; messages that arrive before it has loaded are kept
// with their arrival times and handed to it then.
//
// Use: const ev = AvpushEvents.attach(pc, videoElement, dataChannel, (event, info) => { ... });
//      info = {arrivedAt, shownAt, shownBy: 'frame' | 'jitter-buffer' | 'arrival' | 'timeout', laterMs, rtpTimestamp}
//      (see avpush-event-clock.js); ev.state() -> {frames, pending, eventOffsetMs, frameOffsetMs}; ev.stop();
(function (global) {
  'use strict';

  const script = document.currentScript;
  const clock = import(new URL('avpush-event-clock.js', script ? script.src : location.href).href);

  function attach(pc, video, channel, onEvent, options) {
    const early = [];
    const keep = (m) => early.push({data: m.data, arrivedAt: performance.now()});
    let inner = null;
    let stopped = false;
    channel.addEventListener('message', keep);
    clock.then((module) => {
      channel.removeEventListener('message', keep);
      if (stopped) return;
      inner = module.attachEvents(pc, video, channel, onEvent, options);
      early.forEach((m) => inner.receive(m.data, m.arrivedAt));
    }, (err) => console.error('avpush-events.js could not load avpush-event-clock.js', err));

    return {
      stop() {
        stopped = true;
        channel.removeEventListener('message', keep);
        if (inner) inner.stop();
      },
      state() {
        return inner ? inner.state() : {frames: 0, frameTimed: false, pending: early.length, eventOffsetMs: null,
          frameOffsetMs: null, videoDelayMs: null};
      },
    };
  }

  global.AvpushEvents = {attach};
})(window);
