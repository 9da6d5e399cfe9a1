// What the viewer's failures say to a person.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {AvpushViewerError, connectTimeoutError, connectionStateFailure, droppedError, errorFromReply,
  unreachableError} from '../src/avpush-viewer-errors.js';

test('an error reply carries the server\'s message, status and error code', () => {
  const cases = [
    [401, '{"error":"unauthorized","message":"viewing session s1 needs its viewer token"}', 'unauthorized',
      'viewing session s1 needs its viewer token'],
    [403, '{"error":"forbidden","message":"this viewer token is for session s2, not s1"}', 'unauthorized',
      'this viewer token is for session s2, not s1'],
    [404, '{"error":"not_found","message":"no viewer \'v1\' in session s1"}', 'http', 'no viewer \'v1\' in session s1'],
    [503, '{"error":"busy","message":"this node serves 64 sessions (avpush.limits.max-sessions)"}', 'http',
      'this node serves 64 sessions (avpush.limits.max-sessions)'],
    [502, '<html>Bad Gateway</html>', 'http', 'the avpush server answered 502 Bad Gateway: <html>Bad Gateway</html>'],
    [500, '', 'http', 'the avpush server answered 500 Server Error'],
  ];
  for (const [status, body, code, message] of cases) {
    const e = errorFromReply(status, status === 502 ? 'Bad Gateway' : 'Server Error', body);
    assert.ok(e instanceof AvpushViewerError && e instanceof Error);
    assert.deepEqual([e.code, e.message, e.status], [code, message, status], body);
  }
});

test('no connection within the time says what to check: a non-loopback address or TURN', () => {
  const e = connectTimeoutError('ice', 10000, 'http://10.0.0.5:8080', {connectionState: 'connecting', iceConnectionState: 'checking'});
  assert.equal(e.code, 'ice-timeout');
  assert.match(e.message, /^no media connection to the avpush server within 10 s \(connection connecting, ICE checking\)\. /);
  assert.match(e.message, /non-loopback address .* not localhost or 127\.0\.0\.1.* TURN server \(iceServers\)/);
  const slow = connectTimeoutError('offer', 2500, 'http://10.0.0.5:8080', {});
  assert.deepEqual([slow.code, slow.message], ['timeout',
    'the avpush server at http://10.0.0.5:8080 did not answer the offer within 2.5 s: check that it runs and is not overloaded']);
});

test('a failed or closed connection is a failure; before it was up it is ICE\'s, after it the viewer was dropped', () => {
  const table = [
    ['failed', 'connecting', 'ice-failed'], ['failed', 'connected', 'dropped'], ['closed', 'connected', 'dropped'],
    ['closed', 'connecting', 'dropped'], ['disconnected', 'connected', null], ['connecting', 'connecting', null],
    ['connected', 'connecting', null], ['new', 'connecting', null],
  ];
  for (const [state, phase, code] of table) {
    const e = connectionStateFailure(state, phase);
    assert.equal(e && e.code, code, `${state} while ${phase}`);
  }
  assert.match(connectionStateFailure('failed', 'connecting').message, /non-loopback address/);
});

test('unreachable and dropped say what happened', () => {
  const e = unreachableError('http://10.0.0.5:8080', new TypeError('Failed to fetch'));
  assert.equal(e.code, 'unreachable');
  assert.equal(e.message, 'cannot reach the avpush server at http://10.0.0.5:8080 (Failed to fetch): check the address, '
    + 'that the server runs, and that it lets this page\'s origin call it (avpush.http.cors-origins)');
  assert.equal(e.cause.message, 'Failed to fetch');
  assert.deepEqual([droppedError('the session ended').code, droppedError('the session ended').message],
    ['dropped', 'the avpush server ended this viewer: the session ended']);
});
