// The viewer's options, URLs, requests and the server's answers, without a server.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {authHeaders, candidateAddresses, ended, offerRequest, parseAnswer, probeUrl, rtcConfiguration, serverBase,
  viewerOptions} from '../src/avpush-viewer-signaling.js';
import {AvpushViewerError} from '../src/avpush-viewer-errors.js';

const video = {play() {}};
const BASE = 'https://av.example/p';

test('options get their defaults: JSON offer, 10 s to connect, 3 s to gather, no jitter-buffer target', () => {
  const o = viewerOptions({video, session: 's1'});
  assert.deepEqual([o.mode, o.connectTimeoutMs, o.gatherTimeoutMs, o.jitterBufferTargetMs, o.token, o.audio, o.onEvent],
    ['offer', 10000, 3000, null, null, null, null]);
  assert.equal(viewerOptions({video, mode: 'whep'}).session, null, 'WHEP without a session makes one');
  assert.equal(viewerOptions({video, session: 's1', audio: undefined, connectTimeoutMs: undefined}).connectTimeoutMs, 10000,
    'an option given as undefined is left out');
});

test('a wrong option says what to pass', () => {
  const cases = [
    [{session: 's1'}, /options.video must be the <video> element/],
    [{video: document(), session: 's1'}, /options.video must be the <video> element/],
    [{video, session: 's1', audio: 'sound'}, /options.audio must be an <audio> element/],
    [{video, session: 's1', mode: 'json'}, /options.mode must be 'offer' .* or 'whep', not "json"/],
    [{video}, /options.session is needed: the sessionId/],
    [{video, session: ''}, /options.session must be the sessionId string/],
    [{video, session: 's1', connectTimeoutMs: 0}, /options.connectTimeoutMs must be a positive number of ms, not 0/],
    [{video, session: 's1', onEvent: 'log'}, /options.onEvent must be a function/],
  ];
  for (const [options, message] of cases) assert.throws(() => viewerOptions(options), message);
});

function document() {
  return {tagName: 'DIV'};
}

test('the server is where the module was loaded from, unless given', () => {
  assert.equal(serverBase(undefined, 'https://av.example/p/static/avpush-viewer.js'), 'https://av.example/p');
  assert.equal(serverBase(undefined, 'http://10.0.0.5:8080/static/avpush-viewer.js'), 'http://10.0.0.5:8080');
  assert.equal(serverBase('https://other.example:8443/', 'https://av.example/static/avpush-viewer.js'), 'https://other.example:8443');
  assert.equal(serverBase('/avpush/', 'https://cdn.example/avpush-viewer.js', 'https://site.example/watch?x=1'),
    'https://site.example/avpush');
  assert.throws(() => serverBase(undefined, 'https://cdn.example/npm/avpush-viewer.js'),
    /options.server is needed .* not loaded from an avpush server's \/static\/ but from https:\/\/cdn.example/);
  assert.throws(() => serverBase('ftp://av.example', 'https://av.example/static/avpush-viewer.js'),
    /must be an http:\/\/ or https:\/\/ URL/);
});

test('a token goes as a bearer token, whether API key or viewer token', () => {
  assert.deepEqual(authHeaders('k-1'), {Authorization: 'Bearer k-1'});
  assert.deepEqual(authHeaders(null), {});
});

test('the JSON offer is POSTed to the session\'s offer URL, its id escaped', () => {
  const r = offerRequest(viewerOptions({video, session: 'a b/c', token: 't'}), BASE, 'v=0\r\n');
  assert.equal(r.url, 'https://av.example/p/api/sessions/a%20b%2Fc/offer');
  assert.deepEqual(r.init, {method: 'POST', headers: {Authorization: 'Bearer t', 'Content-Type': 'application/json'},
    body: '{"type":"offer","sdp":"v=0\\r\\n"}'});
});

test('a WHEP offer is POSTed as application/sdp to /whep/{id}, or to /whep for a new session', () => {
  const join = offerRequest(viewerOptions({video, session: 's1', mode: 'whep'}), BASE, 'v=0\r\n');
  assert.equal(join.url, 'https://av.example/p/whep/s1');
  assert.deepEqual(join.init, {method: 'POST', headers: {'Content-Type': 'application/sdp'}, body: 'v=0\r\n'});
  assert.equal(offerRequest(viewerOptions({video, mode: 'whep'}), BASE, 'v=0').url, 'https://av.example/p/whep');
});

test('the JSON answer gives the viewer and the URL whose DELETE ends it', () => {
  const o = viewerOptions({video, session: 's1'});
  const answer = parseAnswer(o, BASE, `${BASE}/api/sessions/s1/offer`,
    {status: 200, statusText: 'OK', location: null, body: '{"sdp":"v=0\\r\\n","type":"answer","viewerId":"v 7"}'});
  assert.deepEqual(answer, {sdp: 'v=0\r\n', viewerId: 'v 7', resource: `${BASE}/api/sessions/s1/viewers/v%207`, session: 's1',
    offered: []});
  assert.equal(probeUrl(o, BASE, answer), `${BASE}/api/sessions/s1`);
});

test('the WHEP answer\'s Location, resolved against the endpoint, is the viewer resource', () => {
  const o = viewerOptions({video, mode: 'whep'});
  const answer = parseAnswer(o, BASE, `${BASE}/whep`, {status: 201, statusText: 'Created', location: '/p/whep/new1/v2', body: 'v=0\r\n'});
  assert.deepEqual(answer, {sdp: 'v=0\r\n', viewerId: 'v2', resource: 'https://av.example/p/whep/new1/v2', session: 'new1',
    offered: []});
  assert.equal(probeUrl(o, BASE, answer), 'https://av.example/p/whep/new1/v2');
});

test('the answer\'s candidates say where the server offers media: each address once, with its type', () => {
  const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=candidate:1 1 udp 2122260223 10.0.0.5 50123 typ host generation 0',
    'a=candidate:2 1 tcp 1518280447 10.0.0.5 9 typ host tcptype passive',
    'a=candidate:3 1 udp 1686052607 203.0.113.7 50123 typ srflx raddr 10.0.0.5 rport 50123',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=candidate:1 1 udp 2122260223 10.0.0.5 50124 typ host generation 0',
    'a=candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 50123', ''].join('\r\n');
  assert.deepEqual(candidateAddresses(sdp), ['10.0.0.5 (host)', '203.0.113.7 (srflx)', '198.51.100.9 (relay)']);
  assert.deepEqual(candidateAddresses('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'), [], 'a server with loopback only offers none');
  const answer = parseAnswer(viewerOptions({video, session: 's1'}), BASE, '', {status: 200, statusText: 'OK', location: null,
    body: JSON.stringify({sdp, type: 'answer', viewerId: 'v1'})});
  assert.deepEqual(answer.offered, ['10.0.0.5 (host)', '203.0.113.7 (srflx)', '198.51.100.9 (relay)']);
});

test('the server\'s error reply becomes an error with its message', () => {
  const o = viewerOptions({video, session: 'nosuch'});
  const message = "no session 'nosuch' on this node; it ended or never existed. Create one with POST /api/sessions";
  assert.throws(() => parseAnswer(o, BASE, '', {status: 404, statusText: 'Not Found', location: null,
    body: JSON.stringify({error: 'session_not_found', message})}),
  (e) => e instanceof AvpushViewerError && e.code === 'session-not-found' && e.message === message && e.status === 404
    && e.error === 'session_not_found');
});

test('an answer that is not avpush\'s is refused, saying what was expected', () => {
  const offer = viewerOptions({video, session: 's1'});
  assert.throws(() => parseAnswer(offer, BASE, '', {status: 200, statusText: 'OK', location: null, body: '<html>hello'}),
    /the answer to an offer is JSON with "sdp" and "viewerId"; the server sent "<html>hello"; is the server an avpush server\?/);
  const whep = viewerOptions({video, session: 's1', mode: 'whep'});
  assert.throws(() => parseAnswer(whep, BASE, '', {status: 200, statusText: 'OK', location: null, body: 'v=0'}),
    /a WHEP answer is 201 with a Location and an SDP body; the server answered 200 without a Location/);
});

test('the session reply\'s ICE servers are given to the browser without their null fields', () => {
  const o = viewerOptions({video, session: 's1', iceServers: [{urls: ['stun:stun.example:3478'], username: null, credential: null},
    {urls: ['turn:turn.example:3478'], username: '1700000000:s1', credential: 'c2VjcmV0'}]});
  assert.deepEqual(rtcConfiguration(o), {iceTransportPolicy: 'all', iceServers: [{urls: ['stun:stun.example:3478']},
    {urls: ['turn:turn.example:3478'], username: '1700000000:s1', credential: 'c2VjcmV0'}]});
  assert.throws(() => rtcConfiguration(viewerOptions({video, session: 's1', iceServers: 'stun:x'})), /options.iceServers must be a list/);
});

test('a DELETE ended the viewer when it succeeded or the server had no such viewer any more', () => {
  assert.deepEqual([200, 204, 404, 401, 403, 500].map(ended), [true, true, true, false, false, false]);
});
