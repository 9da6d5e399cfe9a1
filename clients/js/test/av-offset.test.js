// The lip-sync meter's pieces, with exact numbers: which windows are beep onsets, which frames are
// flashes, which flash pairs with which beep and when, and what the page says about it.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
  OffsetMeter, beepOnsets, describeOffset, flashDetector, framesPerSecond, intervalJitterBufferMs, meanLuma,
} from '../src/avpush-av-offset.js';

/** n samples of silence, then a tone of amplitude a from sample `start` for `len` samples. */
function tone(n, start, len, a = 0.5) {
  const s = new Float32Array(n);
  for (let i = start; i < start + len && i < n; i++) s[i] = a * (i % 2 ? 1 : -1);
  return s;
}

test('a beep is one onset, at the first loud window, and counts again only after quiet', () => {
  const state = {loud: false};
  // 1024 samples, tone from 300 for 400: windows of 128 start at 0,128,...; the window at 256
  // holds 84 loud samples (RMS 0.5 * sqrt(84/128) = 0.405 > 0.2), the one at 640 is quiet again.
  assert.deepEqual(beepOnsets(tone(1024, 300, 400), 1024, state), [256]);
  assert.equal(state.loud, false, 'the quiet windows after it end the beep');
  // Still loud at the end of a batch: the next batch's loud start is not a new onset.
  assert.deepEqual(beepOnsets(tone(1024, 900, 124), 1024, state), [896]);
  assert.equal(state.loud, true);
  assert.deepEqual(beepOnsets(tone(1024, 0, 200), 1024, state), []);
});

test('only the windows holding the fresh samples are scanned', () => {
  const state = {loud: false};
  // A loud start before the newest 256 samples is old news: scanned were windows 768 and 896 only.
  assert.deepEqual(beepOnsets(tone(1024, 0, 300), 256, state), []);
  // 200 fresh samples round up to two windows.
  assert.deepEqual(beepOnsets(tone(1024, 800, 100), 200, {loud: false}), [768]);
  // More fresh samples than the buffer holds: the whole buffer.
  assert.deepEqual(beepOnsets(tone(1024, 0, 128), 5000, {loud: false}), [0]);
});

test('a soft sound between the thresholds neither starts nor ends a beep', () => {
  const state = {loud: false};
  assert.deepEqual(beepOnsets(tone(256, 0, 256, 0.15), 256, state), []);
  state.loud = true;
  beepOnsets(tone(256, 0, 256, 0.15), 256, state);
  assert.equal(state.loud, true, 'RMS 0.15 is above the quiet threshold 0.1');
});

test('mean luma is BT.601 of RGBA pixels', () => {
  assert.ok(Math.abs(meanLuma(new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255])) - 127.5) < 1e-9);
  assert.equal(meanLuma(new Uint8ClampedArray([100, 0, 0, 0])), 29.9);
});

test('a flash is a bright frame after a dark one; a long white picture counts once', () => {
  const isFlash = flashDetector();
  assert.deepEqual([200, 50, 150, 200, 200, 120, 200, 30, 181].map(isFlash),
    [false, false, false, true, false, false, false, false, true]);
});

test('each flash pairs with the nearest beep within 500 ms, once 800 ms have passed', () => {
  const m = new OffsetMeter();
  m.flash(1000);
  m.beep(980);
  m.beep(1040);
  assert.deepEqual(m.poll(1700), [], 'the flash has not settled: a nearer beep may still arrive');
  assert.deepEqual(m.poll(1801), [-20]);
  assert.deepEqual(m.beeps, [1040], 'the paired beep is used up');
  m.flash(3000);
  m.beep(3600);
  assert.deepEqual(m.poll(3801), [], 'a beep 600 ms away is not this flash\'s');
  assert.deepEqual(m.offsets, [-20]);
});

test('unpaired beeps are dropped after 3 s; the meter keeps the last 60 offsets', () => {
  const m = new OffsetMeter();
  m.beep(0);
  m.poll(3001);
  assert.deepEqual(m.beeps, []);
  for (let k = 0; k < 61; k++) {
    m.flash(k * 1000);
    m.beep(k * 1000 + k);
  }
  m.poll(70_000);
  assert.equal(m.offsets.length, 60);
  assert.equal(m.offsets[0], 1, 'the first offset (0) was the oldest and left');
});

test('the median is the middle offset (the upper of an even count); reset forgets everything', () => {
  const m = new OffsetMeter();
  assert.equal(m.median(), null);
  for (const [f, b] of [[0, 30], [1000, 990], [2000, 2050], [3000, 3020]]) {
    m.flash(f);
    m.beep(b);
  }
  m.poll(10_000);
  assert.deepEqual(m.offsets, [30, -10, 50, 20]);
  assert.equal(m.median(), 30);
  m.reset();
  assert.equal(m.median(), null);
});

test('offsets in words', () => {
  assert.equal(describeOffset(0.4), 'in sync');
  assert.equal(describeOffset(-0.49), 'in sync');
  assert.equal(describeOffset(42.4), 'audio 42 ms late');
  assert.equal(describeOffset(-12.6), 'audio 13 ms early');
});

test('jitter buffer delay over the last interval, else the lifetime mean', () => {
  const prev = {jitterBufferDelay: 10, jitterBufferEmittedCount: 100};
  const cur = {jitterBufferDelay: 13, jitterBufferEmittedCount: 150};
  assert.equal(intervalJitterBufferMs(cur, prev, 'jitterBufferDelay'), 60);
  assert.equal(intervalJitterBufferMs(cur, null, 'jitterBufferDelay'), 1000 * 13 / 150);
  assert.equal(intervalJitterBufferMs(cur, cur, 'jitterBufferDelay'), 1000 * 13 / 150, 'nothing emitted since');
  assert.equal(intervalJitterBufferMs({jitterBufferEmittedCount: 0, jitterBufferDelay: 0}, null, 'jitterBufferDelay'), null);
  assert.equal(intervalJitterBufferMs(undefined, null, 'jitterBufferDelay'), null);
});

test('frames per second: the browser\'s figure, else frames decoded over time', () => {
  assert.equal(framesPerSecond({framesPerSecond: 29}, null), 29);
  assert.equal(framesPerSecond({framesDecoded: 45, timestamp: 1500}, {framesDecoded: 30, timestamp: 1000}), 30);
  assert.equal(framesPerSecond({framesDecoded: 45, timestamp: 1500}, null), null);
});
