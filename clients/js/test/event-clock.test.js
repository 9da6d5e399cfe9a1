// EventClock and its pieces, with exact numbers: when each event is handed on, and with which frame.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {EventClock, rtpUnwrapper, slidingMin, videoJitterBufferDelay} from '../src/avpush-event-clock.js';

// A 30 fps stream as the page sees it. The page's clock is the server's + 4000 ms; frames and
// events both arrive 20 ms after their push; a frame is displayed 100 ms after it arrived.
// Frame k is pushed at server time 1000 + k * 1000 / 30 with RTP timestamp rtp0 + 3000 k.
const FRAME_MS = 1000 / 30;
const pushMs = (k) => 1000 + k * FRAME_MS;
const frame = (k, rtp0 = 90000) => ({
  now: pushMs(k) + 4120,
  md: {rtpTimestamp: (rtp0 + 3000 * k) % 0x100000000, receiveTime: pushMs(k) + 4020, expectedDisplayTime: pushMs(k) + 4120},
});
const eventAbout = (k, type = 'segment-started') => ({type, frame: 10 + k, timeMs: pushMs(k)});
const arrival = (k) => pushMs(k) + 4020;
const us = (ms) => Math.round(ms * 1000); // compared to the microsecond: sums of thirds of a ms are not exact

function show(clock, frames, rtp0) {
  return frames.flatMap((k) => clock.frame(frame(k, rtp0).now, frame(k, rtp0).md).map((d) => ({...d, k})));
}

test('slidingMin keeps the minimum of the last window, in eighths of it', () => {
  const m = slidingMin(8000);
  assert.equal(m.value(), null);
  m.add(0, 5);
  m.add(1500, 3);
  m.add(1600, 4); // same bucket as 1500
  assert.equal(m.value(), 3);
  m.add(9000, 7); // the bucket of 0 has left the window, the one of 1500 has not
  assert.equal(m.value(), 3);
  m.add(9600, 8); // now it has
  assert.equal(m.value(), 7);
});

test('rtpUnwrapper counts ticks from the first timestamp across the 32-bit wrap, both ways', () => {
  const unwrap = rtpUnwrapper();
  assert.deepEqual([4294967000, 296, 4294967100, 3296].map(unwrap), [0, 592, 100, 3592]);
});

test('videoJitterBufferDelay is the delay per frame emitted since the last stats', () => {
  const first = videoJitterBufferDelay(null, {jitterBufferDelay: 9.0, jitterBufferEmittedCount: 70});
  assert.equal(Math.round(first.delayMs * 1e6) / 1e6, 128.571429);
  const next = videoJitterBufferDelay(first.counters, {jitterBufferDelay: 12.0, jitterBufferEmittedCount: 100});
  assert.equal(next.delayMs, 100);
  assert.equal(videoJitterBufferDelay(next.counters, {jitterBufferDelay: 12.0, jitterBufferEmittedCount: 100}).delayMs, null);
});

test('an event without a frame is handed on when it arrives', () => {
  const clock = new EventClock();
  assert.deepEqual(clock.arrived({type: 'viewer-joined', timeMs: 1000}, 5020), {shownBy: 'arrival'});
});

test('an event about a frame is handed on at the display of that frame', () => {
  const clock = new EventClock();
  assert.equal(clock.arrived(eventAbout(3), arrival(3)), null); // arrives 100 ms before its frame is shown
  const out = show(clock, [0, 1, 2, 3, 4]);
  assert.equal(out.length, 1);
  assert.equal(out[0].k, 3);
  assert.deepEqual(out[0].info, {arrivedAt: arrival(3), shownAt: frame(3).md.expectedDisplayTime, shownBy: 'frame',
    laterMs: 0, rtpTimestamp: 99000});
  assert.equal(clock.state().pending, 0);
});

test('when the page missed its frame\'s callback, the event comes with the next frame and its own frame\'s display time', () => {
  const clock = new EventClock();
  clock.arrived(eventAbout(3), arrival(3));
  const out = show(clock, [0, 1, 2, 4]);
  assert.equal(out[0].k, 4);
  assert.equal(us(out[0].info.laterMs), us(FRAME_MS));
  assert.equal(us(out[0].info.shownAt), us(frame(3).md.expectedDisplayTime));
  assert.equal(out[0].info.rtpTimestamp, 102000);
});

test('half a frame of difference between the events\' and the frames\' fastest delivery moves no event', () => {
  const clock = new EventClock();
  // Events came 16 ms faster than the frames: their push instants on the page clock are 16 ms early.
  clock.arrived(eventAbout(0), arrival(0) - 16);
  clock.arrived(eventAbout(3), arrival(3) - 16);
  const out = show(clock, [0, 1, 2, 3]);
  assert.deepEqual(out.map((d) => [d.k, us(d.info.laterMs)]), [[0, 16000], [3, 16000]]);
});

test('frames across the RTP wrap time their events as any others', () => {
  const rtp0 = 0x100000000 - 6000; // frame 2 is at 0
  const clock = new EventClock();
  clock.arrived(eventAbout(4), arrival(4));
  const out = show(clock, [0, 1, 2, 3, 4, 5], rtp0);
  assert.deepEqual(out.map((d) => [d.k, d.info.laterMs, d.info.rtpTimestamp]), [[4, 0, 6000]]);
});

test('an event whose frame is never shown is handed on after the timeout', () => {
  const clock = new EventClock({timeoutMs: 3000});
  show(clock, [0]);
  clock.arrived(eventAbout(300), 6000);
  assert.deepEqual(clock.expire(9000), []);
  const out = clock.expire(9001);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0].info, {arrivedAt: 6000, shownAt: null, shownBy: 'timeout', laterMs: null, rtpTimestamp: null});
});

test('without frame timing an event is held for the video\'s jitter-buffer delay, or handed on at once before it is known', () => {
  const clock = new EventClock();
  clock.frame(5000, {expectedDisplayTime: 5010}); // a browser whose frame callbacks carry no RTP timestamps
  assert.deepEqual(clock.arrived(eventAbout(1), arrival(1)), {shownBy: 'arrival'});
  clock.videoDelayMs = 120;
  assert.deepEqual(clock.arrived(eventAbout(2), arrival(2)), {shownBy: 'jitter-buffer', afterMs: 120});
  const noCallbacks = new EventClock({frameCallbacks: false});
  noCallbacks.videoDelayMs = 80;
  assert.deepEqual(noCallbacks.arrived(eventAbout(2), arrival(2)), {shownBy: 'jitter-buffer', afterMs: 80});
});
