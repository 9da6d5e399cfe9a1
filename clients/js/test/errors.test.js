// What the viewer's failures say to a person.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {AvpushViewerError, connectTimeoutError, connectionStateFailure, droppedError, errorFromReply, mediaPathHelp,
  serverClosedError, unreachableError} from '../src/avpush-viewer-errors.js';

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

test('no media connection within the time names the addresses the server offered and what to try', () => {
  const e = connectTimeoutError('ice', 10000, 'http://10.0.0.5:8080', {connectionState: 'connecting', iceConnectionState: 'checking'},
    ['10.0.0.5 (host)', '203.0.113.7 (srflx)']);
  assert.equal(e.code, 'ice-timeout');
  assert.deepEqual(e.offered, ['10.0.0.5 (host)', '203.0.113.7 (srflx)'], 'a page can use them (the demo page names a URL)');
  assert.equal(e.message, 'no media connection to the avpush server within 10 s (connection connecting, ICE checking). '
    + 'Media goes straight between the avpush server and this browser over UDP, to the addresses the server offered: '
    + '10.0.0.5 (host), 203.0.113.7 (srflx). This browser reached none of them. WebRTC never uses loopback, so a page '
    + 'that reaches the server through localhost, an SSH tunnel or a container\'s published port is no proof that media '
    + 'can: this browser must reach one of the server\'s own addresses, or both must reach a TURN server (iceServers) '
    + 'when a firewall or NAT is in between.');
  const slow = connectTimeoutError('offer', 2500, 'http://10.0.0.5:8080', {});
  assert.deepEqual([slow.code, slow.message], ['timeout',
    'the avpush server at http://10.0.0.5:8080 did not answer the offer within 2.5 s: check that it runs and is not overloaded']);
});

test('what to try depends on what the server offered: its addresses, none at all, or not known yet', () => {
  const cases = [
    [['10.0.0.5 (host)'], /^Media goes .* the addresses the server offered: 10\.0\.0\.5 \(host\)\. This browser reached none of them\. .*TURN server \(iceServers\)/],
    [[], /^The avpush server offered no address for media: it has no network interface but loopback, which WebRTC never uses\. Give it a network interface, or .* TURN server/],
    [null, /^Media goes .* to the addresses in the server's answer\. WebRTC never uses loopback/],
  ];
  for (const [offered, message] of cases) assert.match(mediaPathHelp(offered), message, JSON.stringify(offered));
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
  const failed = connectionStateFailure('failed', 'connecting', ['10.0.0.5 (host)']);
  assert.match(failed.message, /^no media connection to the avpush server could be made\. Media goes .*: 10\.0\.0\.5 \(host\)\. /);
  assert.deepEqual(failed.offered, ['10.0.0.5 (host)']);
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

test('the server closing the events channel is the server ending the viewer, in its own words when it gave some', () => {
  assert.deepEqual([serverClosedError(null).code, serverClosedError(null).message], ['dropped', 'the avpush server ended this '
    + 'viewer: it closed this viewer\'s connection (the viewer or its session was deleted, or the server is stopping)']);
  const sessionGone = serverClosedError(errorFromReply(404, 'Not Found', JSON.stringify({error: 'session_not_found',
    message: 'no session \'s1\' on this node; it ended or never existed. Create one with POST /api/sessions'})));
  assert.deepEqual([sessionGone.code, sessionGone.status, sessionGone.error, sessionGone.message], ['dropped', 404, 'session_not_found',
    'the avpush server ended this viewer: no session \'s1\' on this node; it ended or never existed. Create one with POST /api/sessions'],
  'a page can tell that the session ended');
  const viewerGone = serverClosedError(errorFromReply(404, 'Not Found', JSON.stringify({error: 'not_found',
    message: 'no viewer \'s1-v2\' in session s1; it was deleted already or never existed'})));
  assert.deepEqual([viewerGone.code, viewerGone.error], ['dropped', 'not_found']);
});
