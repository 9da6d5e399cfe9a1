// avpush viewer: shows an avpush session in a page's <video> over WebRTC.
//
//   import {connect} from 'https://avpush.example/static/avpush-viewer.js';
//   const viewer = await connect({session: sessionId, video: document.querySelector('video'),
//     onEvent: (event, info) => ..., onFailure: (err) => show(err.message)});
//   ...
//   await viewer.close();
//
// connect() sends a non-trickle offer (recvonly audio and video, ICE gathered first) by the JSON
// offer API or WHEP, puts the remote stream on the elements and resolves once the media
// connection is up; it rejects with an AvpushViewerError a page can show. Lip sync is the
// browser's own: the server sends both tracks in one MediaStream; no jitter-buffer target is set
// unless the caller asks for one. With onEvent the session's events come on the negotiated
// "avpush-events" data channel, each handed on at its frame's display (avpush-event-clock.js).
// After connect, a failure (the server ended the viewer, the connection broke) goes to onFailure;
// with the events channel, the server's closing it tells at once that it ended the viewer.

import {attachEvents} from './avpush-event-clock.js';
import {AvpushViewerError, connectTimeoutError, connectionStateFailure, droppedError, errorFromReply,
  serverClosedError, unreachableError} from './avpush-viewer-errors.js';
import {authHeaders, ended, offerRequest, parseAnswer, probeUrl, rtcConfiguration, serverBase,
  viewerOptions} from './avpush-viewer-signaling.js';

export {AvpushViewerError} from './avpush-viewer-errors.js';
export {attachEvents, EventClock} from './avpush-event-clock.js';

/** While the connection is 'disconnected', the server is asked this often whether the viewer still exists... */
const PROBE_EVERY_MS = 2000;
/** ...and its answer waited for this long. */
const PROBE_TIMEOUT_MS = 3000;

/** Makes a viewer and connects it: resolves with it once connected, or rejects with an AvpushViewerError. */
export async function connect(options) {
  return new AvpushViewer(options).connect();
}

/**
 * One viewer of a session: one peer connection. Options (only video and session are needed):
 *   video               the <video> element to show the stream in
 *   audio               an <audio> element to play the sound in instead (the video is then muted)
 *   session             the session's id (WHEP without one makes a new session: needs the API key)
 *   server              the avpush server's URL; default: where this module was loaded from
 *   mode                'offer' (JSON offer API, default) or 'whep'
 *   token               an API key or the session's viewer token (sent as Authorization: Bearer)
 *   iceServers          STUN/TURN servers, e.g. the session reply's iceServers; iceTransportPolicy
 *   connectTimeoutMs    how long connect() may take (10000); gatherTimeoutMs: ICE gathering (3000)
 *   jitterBufferTargetMs  a receiver jitter-buffer target; none unless given
 *   onEvent(event, info)  the session's events at their frame's display (opens the events channel);
 *                       eventTiming: EventClock's options
 *   onFailure(error)    a failure after connect() resolved; the viewer is closed by then
 *   onStateChange(state)  'connecting', 'connected', 'failed', 'closed'
 *   onAutoplayBlocked() the browser would not play with sound; call unmute() from a click
 */
export class AvpushViewer {
  #o;
  #abort = new AbortController();
  #timers = new Set();
  #events = null;
  #channel = null;
  #failWhileConnecting = null;
  #teardownDone = null;
  #phase = 'new';

  constructor(options) {
    this.#o = viewerOptions(options);
    /** The server's base URL. */
    this.server = serverBase(this.#o.server, import.meta.url, globalThis.location && globalThis.location.href);
    /** 'new', 'connecting', 'connected', 'failed' or 'closed'. */
    this.state = 'new';
    this.pc = null;
    /** The remote MediaStream (audio and video), once the tracks arrived. */
    this.stream = null;
    /** The server's answer: {viewerId, resource (its DELETE ends the viewer), session, offered (its media addresses)}. */
    this.answer = null;
    /** The failure that ended the viewer, if one did. */
    this.error = null;
    this.autoplayBlocked = false;
  }

  /** Connects; resolves with this viewer once the media connection is up. Rejects with an AvpushViewerError. */
  async connect() {
    if (this.state !== 'new') throw new Error(`connect() is called once per viewer (this one is ${this.state}); make a new one`);
    this.#setState('connecting');
    const failed = new Promise((resolve, reject) => { this.#failWhileConnecting = reject; });
    this.#later(() => this.#fail(connectTimeoutError(this.#phase, this.#o.connectTimeoutMs, this.server, this.#states(),
      this.#offered())), this.#o.connectTimeoutMs);
    try {
      await Promise.race([this.#negotiate(), failed]);
      await Promise.race([this.#connected(), failed]);
    } catch (err) {
      this.#fail(err instanceof AvpushViewerError ? err
        : new AvpushViewerError('webrtc', `the browser could not set up the connection: ${err.message}`, {cause: err}));
      throw this.error;
    } finally {
      this.#failWhileConnecting = null;
      this.#clearTimers();
    }
    this.#setState('connected');
    this.#phase = 'connected';
    return this;
  }

  /** Ends the viewer: stops its timers and media, closes the peer connection, DELETEs its resource on
   * the server. Resolves with {ended: whether the server confirmed (or had no such viewer), status}. */
  close() {
    if (this.state === 'connecting') {
      this.#end(new AvpushViewerError('closed', 'the viewer was closed before it connected'), 'closed');
    } else if (this.#teardownDone === null) {
      this.#teardownDone = this.#teardown();
    }
    this.#setState('closed');
    return this.#teardownDone;
  }

  /** Plays the sound after onAutoplayBlocked; call it from a click or key press. */
  async unmute() {
    const el = this.#o.audio || this.#o.video;
    el.muted = false;
    await el.play();
    this.autoplayBlocked = false;
  }

  /** The events' timing state (frames seen, offsets), or null without onEvent. */
  eventState() {
    return this.#events && this.#events.state();
  }

  async #negotiate() {
    const o = this.#o;
    const pc = this.pc = new RTCPeerConnection(rtcConfiguration(o));
    pc.addTransceiver('video', {direction: 'recvonly'});
    pc.addTransceiver('audio', {direction: 'recvonly'});
    if (o.jitterBufferTargetMs !== null) {
      for (const r of pc.getReceivers()) if ('jitterBufferTarget' in r) r.jitterBufferTarget = o.jitterBufferTargetMs;
    }
    if (o.onEvent) {
      this.#channel = pc.createDataChannel('avpush-events', {negotiated: true, id: 0});
      this.#events = attachEvents(pc, o.video, this.#channel, (event, info) => this.#onEvent(event, info), o.eventTiming);
      this.#channel.addEventListener('close', () => this.#onChannelClosed());
    }
    pc.addEventListener('track', (e) => this.#show(e));
    pc.addEventListener('connectionstatechange', () => this.#onConnectionState());
    this.#phase = 'gathering';
    await pc.setLocalDescription(await pc.createOffer());
    await this.#gathered();
    this.#phase = 'offer';
    const request = offerRequest(o, this.server, pc.localDescription.sdp);
    let response;
    let body;
    try {
      response = await fetch(request.url, {...request.init, signal: this.#abort.signal});
      body = await response.text();
    } catch (err) {
      throw this.#abort.signal.aborted ? this.error : unreachableError(this.server, err);
    }
    this.answer = parseAnswer(o, this.server, request.url,
      {status: response.status, statusText: response.statusText, location: response.headers.get('Location'), body});
    this.#phase = 'ice';
    await pc.setRemoteDescription({type: 'answer', sdp: this.answer.sdp});
  }

  /** Non-trickle: the offer carries every candidate, so wait for gathering (at most gatherTimeoutMs). */
  #gathered() {
    const pc = this.pc;
    return new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const done = () => { pc.removeEventListener('icegatheringstatechange', check); resolve(); };
      const check = () => { if (pc.iceGatheringState === 'complete') done(); };
      pc.addEventListener('icegatheringstatechange', check);
      this.#later(done, this.#o.gatherTimeoutMs);
    });
  }

  #connected() {
    const pc = this.pc;
    return new Promise((resolve) => {
      if (pc.connectionState === 'connected') return resolve();
      const check = () => {
        if (pc.connectionState !== 'connected') return;
        pc.removeEventListener('connectionstatechange', check);
        resolve();
      };
      pc.addEventListener('connectionstatechange', check);
    });
  }

  #onConnectionState() {
    const state = this.pc.connectionState;
    if (this.state === 'connecting') {
      const failure = connectionStateFailure(state, 'connecting', this.#offered());
      if (failure) this.#fail(failure);
    } else if (this.state === 'connected') {
      if (state === 'disconnected' || state === 'failed') this.#probe();
      else if (state === 'closed') this.#fail(connectionStateFailure(state, 'connected'));
    }
  }

  /**
   * The connection went quiet or failed: ask the server whether it still has the viewer. A 404
   * means it ended it (its message says why); else a failed connection is reported as such, and a
   * quiet one asked about again every PROBE_EVERY_MS until it is back or has failed.
   */
  async #probe() {
    if (this.state !== 'connected' || !['disconnected', 'failed'].includes(this.pc.connectionState)) return;
    const gone = await this.#goneFromServer();
    if (gone !== null) return this.#fail(droppedError(gone.message, gone));
    if (this.pc.connectionState === 'failed') return this.#fail(connectionStateFailure('failed', 'connected'));
    this.#later(() => this.#probe(), PROBE_EVERY_MS);
  }

  /** The server's 404 for this viewer, as an error (its message, status, error code); null when it has the viewer, or does not answer in time. */
  async #goneFromServer() {
    const ask = new AbortController();
    const stop = () => ask.abort();
    this.#abort.signal.addEventListener('abort', stop);
    const timer = setTimeout(stop, PROBE_TIMEOUT_MS);
    try {
      const response = await fetch(probeUrl(this.#o, this.server, this.answer), {headers: authHeaders(this.#o.token), signal: ask.signal});
      return response.status === 404 ? errorFromReply(404, response.statusText, await response.text()) : null;
    } catch (err) {
      return null;
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', stop);
    }
  }

  /**
   * The events channel closed under a connected viewer: the server closes it only when it ends the
   * viewer (its DELETE, its session's, the server stopping), long before ICE would notice.
   */
  async #onChannelClosed() {
    if (this.state !== 'connected') return;
    const gone = await this.#goneFromServer();
    this.#fail(serverClosedError(gone));
  }

  #onEvent(event, info) {
    try {
      this.#o.onEvent(event, info);
    } finally {
      if (event.type === 'session-ended') this.#fail(droppedError('the session ended'));
    }
  }

  /** The remote stream on the elements: the server's one stream of both tracks (else all received tracks). */
  #show(e) {
    const s = e.streams[0];
    const both = s && s.getAudioTracks().length > 0 && s.getVideoTracks().length > 0;
    const stream = both ? s : new MediaStream(this.pc.getReceivers().map((r) => r.track).filter(Boolean));
    if (this.stream === stream || (this.stream && !both)) return;
    this.stream = stream;
    const {video, audio} = this.#o;
    video.srcObject = stream;
    if (audio) {
      video.muted = true;
      audio.srcObject = stream;
      this.#play(video, false);
    }
    this.#play(audio || video, true);
  }

  /** Plays; with sound refused without a user gesture, plays muted and says so (onAutoplayBlocked). */
  #play(el, withSound) {
    el.play().catch((err) => {
      if (err.name !== 'NotAllowedError' || !withSound || this.state === 'closed') return;
      this.autoplayBlocked = true;
      if (el === this.#o.video) {
        el.muted = true;
        el.play().catch(() => {});
      }
      if (this.#o.onAutoplayBlocked) this.#o.onAutoplayBlocked();
    });
  }

  /** The viewer failed: while connecting connect() rejects; after, onFailure. Either way it is closed. */
  #fail(err) {
    const wasConnected = this.state === 'connected';
    if (!this.#end(err, 'failed')) return;
    if (wasConnected && this.#o.onFailure) {
      try {
        this.#o.onFailure(err);
      } catch (e) {
        console.error('avpush onFailure handler failed', e);
      }
    }
  }

  /** Ends a connecting or connected viewer with `err` in `state`; false when it had ended already. */
  #end(err, state) {
    if (this.state !== 'connecting' && this.state !== 'connected') return false;
    this.error = err;
    this.#setState(state);
    this.#teardownDone = this.#teardown();
    if (this.#failWhileConnecting) this.#failWhileConnecting(err);
    return true;
  }

  async #teardown() {
    this.#clearTimers();
    this.#abort.abort();
    if (this.#events) this.#events.stop();
    if (this.#channel) this.#channel.close();
    if (this.pc) this.pc.close();
    for (const el of [this.#o.video, this.#o.audio]) {
      if (el && this.stream && el.srcObject === this.stream) el.srcObject = null;
    }
    if (!this.answer) return {ended: true, status: null};
    try {
      const response = await fetch(this.answer.resource, {method: 'DELETE', headers: authHeaders(this.#o.token), keepalive: true});
      return {ended: ended(response.status), status: response.status};
    } catch (err) {
      return {ended: false, status: null};
    }
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.#o.onStateChange) {
      try {
        this.#o.onStateChange(state);
      } catch (e) {
        console.error('avpush onStateChange handler failed', e);
      }
    }
  }

  /** The server's media addresses from its answer (null before it came). */
  #offered() {
    return this.answer ? this.answer.offered : null;
  }

  #states() {
    return {connectionState: this.pc ? this.pc.connectionState : 'new', iceConnectionState: this.pc ? this.pc.iceConnectionState : 'new'};
  }

  #later(fn, ms) {
    const id = setTimeout(() => { this.#timers.delete(id); fn(); }, ms);
    this.#timers.add(id);
  }

  #clearTimers() {
    this.#timers.forEach(clearTimeout);
    this.#timers.clear();
  }
}
