// A passive watcher of one <video> element, for the sync lab's pages (plain.html, demo.html,
// Eyevinn's player page): it changes nothing the page plays, it only looks.
//
// Every displayed frame (requestVideoFrameCallback) is scaled to 16x16; a frame whose mean green
// is above 160 is white. The demo clip's flash starts with an all-white frame and its later frames
// have a dark left edge (io.avpush.media.TestSignal), so a flash whose first frame this page saw is
// measured at that frame's display time (metadata.expectedDisplayTime, on the epoch clock:
// performance.timeOrigin + it); a flash first seen on a later frame began on a frame presented while
// this page's callback was late, after the last frame it saw ("unmeasured", with that bound).
// Frames presented between two callbacks are reported as "unsampled" runs, and a frame shown after
// half a second without one as "resumed" (with how long the picture stood still). Every second the new
// records and, when the page handed its RTCPeerConnection over, the receivers' inbound-rtp counters
// are POSTed as JSON to the report URL; the lab (io.avpush.browser.LabPages) collects them.
//
// Use: AvpushWatch.start(video, {report: '/lab/report?viewer=plain', pc});  watch.setPeerConnection(pc)
(function (global) {
  'use strict';

  function start(video, options) {
    const o = Object.assign({report: '/lab/report', pc: null, intervalMs: 1000}, options || {});
    // Frame callback times are on the video's own document's clock (an iframe's starts later).
    const clock = (video.ownerDocument.defaultView || window).performance;
    const epoch = (t) => Math.round((clock.timeOrigin + t) * 10) / 10;
    let pending = {flashes: [], unmeasuredFlashes: [], unsampled: [], resumed: [], stats: [], notes: []};
    let firstFrame = null;
    let frames = 0;
    let bright = false;
    let lastPresented = null;
    let lastShown = null;
    let stopped = false;
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 16;
    const g = canvas.getContext('2d', {willReadFrequently: true});

    const onFrame = (now, md) => {
      if (stopped) return;
      frames++;
      if (firstFrame === null) firstFrame = epoch(md.expectedDisplayTime);
      // A picture that stood still for half a second and moves again: when, and after how long.
      if (lastShown !== null && md.expectedDisplayTime - lastShown > 500) {
        pending.resumed.push({t: epoch(md.expectedDisplayTime), afterMs: Math.round(md.expectedDisplayTime - lastShown)});
      }
      if (lastPresented !== null && md.presentedFrames > lastPresented + 1) {
        pending.unsampled.push({t: epoch(md.expectedDisplayTime), frames: md.presentedFrames - lastPresented - 1});
      }
      lastPresented = md.presentedFrames;
      g.drawImage(video, 0, 0, 16, 16);
      const px = g.getImageData(0, 0, 16, 16).data;
      let sum = 0;
      let edge = 0;
      for (let i = 0; i < px.length; i += 4) {
        sum += px[i + 1];
        if ((i / 4) % 16 === 0) edge += px[i + 1];
      }
      const luma = sum / (px.length / 4);
      if (luma > 160 && !bright) {
        const flash = {t: epoch(md.expectedDisplayTime), rtp: md.rtpTimestamp};
        if (edge / 16 > 160) pending.flashes.push(flash);
        else pending.unmeasuredFlashes.push(Object.assign(flash, {after: lastShown === null ? null : epoch(lastShown)}));
      }
      bright = luma > 160;
      lastShown = md.expectedDisplayTime;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);

    const KEYS = {
      audio: ['packetsReceived', 'packetsLost', 'totalSamplesReceived', 'concealedSamples', 'silentConcealedSamples',
        'insertedSamplesForDeceleration', 'removedSamplesForAcceleration', 'jitterBufferDelay', 'jitterBufferTargetDelay',
        'jitterBufferEmittedCount', 'estimatedPlayoutTimestamp', 'fecPacketsReceived', 'fecPacketsDiscarded'],
      video: ['packetsReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'framesDropped', 'freezeCount',
        'totalFreezesDuration', 'jitterBufferDelay', 'jitterBufferTargetDelay', 'jitterBufferEmittedCount',
        'estimatedPlayoutTimestamp', 'nackCount', 'pliCount', 'keyFramesDecoded'],
    };

    async function sample() {
      if (!o.pc) return;
      const report = await o.pc.getStats();
      const row = {t: epoch(clock.now()), wall: Date.now()};
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && KEYS[s.kind]) {
          row[s.kind] = Object.fromEntries(KEYS[s.kind].filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
        }
      });
      pending.stats.push(row);
    }

    async function flush() {
      const body = Object.assign(pending, {firstFrame, frames, connection: o.pc ? o.pc.connectionState : null});
      pending = {flashes: [], unmeasuredFlashes: [], unsampled: [], resumed: [], stats: [], notes: []};
      try {
        await fetch(o.report, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      } catch (e) {
        // the lab is gone (the run ended): nothing to report to
      }
    }

    const timer = setInterval(() => { sample().catch(() => {}).finally(flush); }, o.intervalMs);
    return {
      setPeerConnection(pc) { o.pc = pc; },
      note(text) { pending.notes.push({t: epoch(clock.now()), text: String(text)}); },
      stop() { stopped = true; clearInterval(timer); return flush(); },
    };
  }

  global.AvpushWatch = {start};
})(typeof window !== 'undefined' ? window : globalThis);
