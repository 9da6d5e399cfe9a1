// How a viewer talks to the avpush server, without I/O: its options, URLs, requests and the
// server's answers. Two ways in (the server's README, "Public HTTP API"):
//   JSON offer  POST {server}/api/sessions/{id}/offer, body {"type": "offer", "sdp": ...}
//               -> 200 {"sdp", "type": "answer", "viewerId"}; ends with
//               DELETE {server}/api/sessions/{id}/viewers/{viewerId}
//   WHEP        POST {server}/whep/{id} (or /whep: a new session), application/sdp
//               -> 201, the answer as application/sdp, Location: the viewer resource; ends with
//               DELETE of the Location
// Either way the session's viewer token (or an API key) is enough, from the offer to the DELETE.

import {AvpushViewerError, errorFromReply} from './avpush-viewer-errors.js';

const DEFAULTS = {
  mode: 'offer',
  session: null,
  token: null,
  audio: null,
  iceServers: [],
  iceTransportPolicy: 'all',
  connectTimeoutMs: 10000,
  gatherTimeoutMs: 3000,
  jitterBufferTargetMs: null,
  onEvent: null,
  eventTiming: {},
  onFailure: null,
  onStateChange: null,
  onAutoplayBlocked: null,
};

/** The viewer's options with their defaults; a wrong one throws a TypeError that says what to pass. */
export function viewerOptions(options) {
  const given = Object.entries(options || {}).filter(([, v]) => v !== undefined);
  const o = {...DEFAULTS, ...Object.fromEntries(given)};
  if (!o.video || typeof o.video.play !== 'function') {
    throw new TypeError('options.video must be the <video> element to show the stream in');
  }
  if (o.audio !== null && typeof o.audio.play !== 'function') {
    throw new TypeError('options.audio must be an <audio> element (to play the sound apart from the video) or left out');
  }
  if (o.mode !== 'offer' && o.mode !== 'whep') {
    throw new TypeError(`options.mode must be 'offer' (the JSON offer API) or 'whep', not ${JSON.stringify(o.mode)}`);
  }
  if (o.session !== null && (typeof o.session !== 'string' || o.session === '')) {
    throw new TypeError('options.session must be the sessionId string of the session to watch');
  }
  if (o.session === null && o.mode === 'offer') {
    throw new TypeError('options.session is needed: the sessionId of the session to watch (or mode \'whep\' without a '
      + 'session, which makes a new session and needs the API key)');
  }
  for (const name of ['connectTimeoutMs', 'gatherTimeoutMs']) {
    if (!(o[name] > 0)) throw new TypeError(`options.${name} must be a positive number of ms, not ${o[name]}`);
  }
  for (const name of ['onEvent', 'onFailure', 'onStateChange', 'onAutoplayBlocked']) {
    if (o[name] !== null && typeof o[name] !== 'function') throw new TypeError(`options.${name} must be a function or left out`);
  }
  return o;
}

/**
 * The server's base URL (no trailing slash): `server` when given (resolved against the page's
 * URL), else the server this module was loaded from (the part of its URL before /static/).
 * Example: (undefined, 'https://av.example/p/static/avpush-viewer.js') -> 'https://av.example/p'.
 */
export function serverBase(server, moduleUrl, pageUrl) {
  if (server === undefined || server === null || server === '') {
    const at = moduleUrl.lastIndexOf('/static/');
    if (at < 0 || !/^https?:/.test(moduleUrl)) {
      throw new TypeError(`options.server is needed (e.g. 'https://avpush.example'): this module was not loaded from an `
        + `avpush server's /static/ but from ${moduleUrl}`);
    }
    return moduleUrl.slice(0, at);
  }
  let url;
  try {
    url = new URL(server, pageUrl || moduleUrl);
  } catch (e) {
    throw new TypeError(`options.server must be the avpush server's URL, like 'https://avpush.example', not ${JSON.stringify(server)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`options.server must be an http:// or https:// URL, not ${JSON.stringify(server)}`);
  }
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

const part = (s) => encodeURIComponent(s);

/** Authorization for an API key or a viewer token (either is sent as a bearer token). */
export function authHeaders(token) {
  return token ? {Authorization: `Bearer ${token}`} : {};
}

/** The offer's request: {url, init} for fetch. */
export function offerRequest(o, base, sdp) {
  if (o.mode === 'whep') {
    return {url: o.session === null ? `${base}/whep` : `${base}/whep/${part(o.session)}`,
      init: {method: 'POST', headers: {...authHeaders(o.token), 'Content-Type': 'application/sdp'}, body: sdp}};
  }
  return {url: `${base}/api/sessions/${part(o.session)}/offer`,
    init: {method: 'POST', headers: {...authHeaders(o.token), 'Content-Type': 'application/json'},
      body: JSON.stringify({type: 'offer', sdp})}};
}

/**
 * The answer to the offer from the server's reply {status, statusText, location, body} to the
 * request at requestUrl: {sdp, viewerId, resource (the URL whose DELETE ends this viewer),
 * session, offered (the server's media addresses, candidateAddresses)}. An error reply throws its
 * AvpushViewerError.
 */
export function parseAnswer(o, base, requestUrl, reply) {
  if (reply.status < 200 || reply.status > 299) throw errorFromReply(reply.status, reply.statusText, reply.body);
  if (o.mode === 'whep') {
    if (reply.status !== 201 || !reply.location || !String(reply.body).startsWith('v=')) {
      throw badReply(`a WHEP answer is 201 with a Location and an SDP body; the server answered ${reply.status}`
        + `${reply.location ? '' : ' without a Location'}`);
    }
    const resource = new URL(reply.location, requestUrl).href;
    const [session, viewerId] = new URL(resource).pathname.split('/').slice(-2).map(decodeURIComponent);
    return {sdp: reply.body, viewerId, resource, session, offered: candidateAddresses(reply.body)};
  }
  let json = null;
  try { json = JSON.parse(reply.body); } catch (e) { /* below */ }
  if (json === null || typeof json.sdp !== 'string' || typeof json.viewerId !== 'string') {
    throw badReply('the answer to an offer is JSON with "sdp" and "viewerId"; the server sent '
      + JSON.stringify(String(reply.body).slice(0, 120)));
  }
  return {sdp: json.sdp, viewerId: json.viewerId, resource: `${base}/api/sessions/${part(o.session)}/viewers/${part(json.viewerId)}`,
    session: o.session, offered: candidateAddresses(json.sdp)};
}

/**
 * Where the server offers to send media: each distinct address of the answer's ICE candidates with
 * its type, in the answer's order. Media flows only if the browser reaches one of them (or both
 * reach a TURN server), whatever address the page or the API was reached at.
 * Example: 'a=candidate:1 1 udp 2122260223 10.0.0.5 50123 typ host' -> ['10.0.0.5 (host)'].
 */
export function candidateAddresses(sdp) {
  const offered = String(sdp).split(/\r?\n/)
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 8 && f[6] === 'typ')
    .map((f) => `${f[4]} (${f[7]})`);
  return [...new Set(offered)];
}

function badReply(message) {
  return new AvpushViewerError('http', `${message}; is the server an avpush server?`);
}

/**
 * Where to ask whether this viewer still exists on the server: its WHEP resource (GET: 204 or
 * 404), or for the JSON offer API its session (GET /api/sessions/{id}: 404 once the session ended).
 */
export function probeUrl(o, base, answer) {
  return o.mode === 'whep' ? answer.resource : `${base}/api/sessions/${part(answer.session)}`;
}

/**
 * RTCPeerConnection's configuration: the ICE servers as the session reply lists them (fields that
 * are null dropped, as the browser refuses them), and the transport policy ('relay': TURN only).
 */
export function rtcConfiguration(o) {
  if (!Array.isArray(o.iceServers)) {
    throw new TypeError('options.iceServers must be a list like the session reply\'s iceServers: [{urls, username, credential}]');
  }
  const iceServers = o.iceServers.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== null && v !== undefined)));
  return {iceServers, iceTransportPolicy: o.iceTransportPolicy};
}

/** The DELETE that ends the viewer ended it, or it was gone already (404). */
export function ended(status) {
  return (status >= 200 && status < 300) || status === 404;
}
