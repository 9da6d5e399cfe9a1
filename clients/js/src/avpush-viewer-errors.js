// The viewer's failures as errors a page can show: each says what happened and what to check.
// No DOM here: the viewer passes in what it saw (HTTP replies, connection states, the phase).

/**
 * A failure of the viewer. `code` says which kind:
 *   'session-not-found'  the server has no such session (404, error session_not_found)
 *   'unauthorized'       the server wants a (different) API key or viewer token (401, 403)
 *   'http'               another error reply of the server (status, error: its code)
 *   'unreachable'        no reply at all (server down, wrong address, CORS)
 *   'timeout'            the server did not answer the offer in time
 *   'ice-timeout'        the media connection was not made in time
 *   'ice-failed'         the media connection could not be made
 *   'dropped'            the server ended this viewer, or the connection to it broke
 *   'webrtc'             the browser could not set up the peer connection (its message says why)
 *   'closed'             close() was called before the connection was made
 * `status` and `error` are the server's HTTP status and JSON error code, when it answered.
 */
export class AvpushViewerError extends Error {
  constructor(code, message, {status = null, error = null, cause} = {}) {
    super(message, cause === undefined ? undefined : {cause});
    this.name = 'AvpushViewerError';
    this.code = code;
    this.status = status;
    this.error = error;
  }
}

/**
 * The error of a server's error reply: its JSON `message` as the message (avpush's messages say
 * what to do), or the status and a bit of the body when it is not avpush's JSON.
 * Example: (404, 'Not Found', '{"error":"session_not_found","message":"no session \'x\' ..."}')
 * -> code 'session-not-found', message "no session 'x' ...".
 */
export function errorFromReply(status, statusText, body) {
  let parsed = null;
  try { parsed = JSON.parse(body); } catch (e) { /* not JSON */ }
  const json = parsed !== null && typeof parsed === 'object' ? parsed : {};
  const text = String(body || '').trim().slice(0, 200);
  const message = typeof json.message === 'string' && json.message
    ? json.message
    : `the avpush server answered ${status}${statusText ? ' ' + statusText : ''}${text ? ': ' + text : ''}`;
  const code = json.error === 'session_not_found' ? 'session-not-found'
    : status === 401 || status === 403 ? 'unauthorized' : 'http';
  return new AvpushViewerError(code, message, {status, error: typeof json.error === 'string' ? json.error : null});
}

/** No reply from `server` at all: fetch rejected (network error, or CORS refused the reply). */
export function unreachableError(server, cause) {
  return new AvpushViewerError('unreachable', `cannot reach the avpush server at ${server} (${cause && cause.message || cause}): `
    + 'check the address, that the server runs, and that it lets this page\'s origin call it (avpush.http.cors-origins)', {cause});
}

const WHAT_TO_CHECK = 'Check that this browser reaches the server\'s media address: WebRTC does not use loopback, '
  + 'so the server must be reached on a non-loopback address (open the page by the machine\'s address, not '
  + 'localhost or 127.0.0.1), or through a TURN server (iceServers) when a firewall or NAT is in between.';

/**
 * connect() ran out of time in `phase`: 'offer' (waiting for the server's answer) or 'ice' (the
 * media connection). states: the peer connection's {connectionState, iceConnectionState}.
 */
export function connectTimeoutError(phase, timeoutMs, server, states) {
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (phase === 'offer') {
    return new AvpushViewerError('timeout', `the avpush server at ${server} did not answer the offer within ${seconds} s: `
      + 'check that it runs and is not overloaded');
  }
  return new AvpushViewerError('ice-timeout', `no media connection to the avpush server within ${seconds} s `
    + `(connection ${states.connectionState}, ICE ${states.iceConnectionState}). ${WHAT_TO_CHECK}`);
}

/**
 * What a peer connection state means for a viewer that is `connecting` or already `connected`:
 * an error for 'failed' and 'closed' (one we did not close ourselves), else null.
 */
export function connectionStateFailure(connectionState, phase) {
  if (connectionState === 'failed') {
    return phase === 'connected'
      ? new AvpushViewerError('dropped', 'the media connection to the avpush server failed: the server ended this viewer '
        + 'or the network between them broke; connect again')
      : new AvpushViewerError('ice-failed', `no media connection to the avpush server could be made. ${WHAT_TO_CHECK}`);
  }
  if (connectionState === 'closed') {
    return new AvpushViewerError('dropped', 'the media connection to the avpush server was closed; connect again');
  }
  return null;
}

/** The server no longer has this viewer (a 404 to the probe, or the session's end on the events channel). */
export function droppedError(serverMessage) {
  return new AvpushViewerError('dropped', `the avpush server ended this viewer: ${serverMessage}`);
}
