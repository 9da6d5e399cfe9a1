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
 * `status` and `error` are the server's HTTP status and JSON error code, when it answered;
 * `offered` (with 'ice-timeout' and 'ice-failed') the media addresses the server offered, e.g.
 * ['10.0.0.5 (host)'], or null when its answer had not come.
 */
export class AvpushViewerError extends Error {
  constructor(code, message, {status = null, error = null, offered = null, cause} = {}) {
    super(message, cause === undefined ? undefined : {cause});
    this.name = 'AvpushViewerError';
    this.code = code;
    this.status = status;
    this.error = error;
    this.offered = offered;
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

/**
 * Why media did not flow and what to try, from the addresses the server offered for media (its
 * answer's candidates, e.g. ['10.0.0.5 (host)']; null when its answer had not come).
 * Example: ['10.0.0.5 (host)'] -> 'Media goes ... to the addresses the server offered: 10.0.0.5 (host).
 * This browser reached none of them. WebRTC never uses loopback, ...'.
 */
export function mediaPathHelp(offered) {
  if (offered && offered.length === 0) {
    return 'The avpush server offered no address for media: it has no network interface but loopback, which WebRTC '
      + 'never uses. Give it a network interface, or give it and this browser a TURN server (iceServers).';
  }
  const where = offered
    ? `Media goes straight between the avpush server and this browser over UDP, to the addresses the server offered: `
      + `${offered.join(', ')}. This browser reached none of them.`
    : 'Media goes straight between the avpush server and this browser over UDP, to the addresses in the server\'s answer.';
  return `${where} WebRTC never uses loopback, so a page that reaches the server through localhost, an SSH tunnel or a `
    + 'container\'s published port is no proof that media can: this browser must reach one of the server\'s own '
    + 'addresses, or both must reach a TURN server (iceServers) when a firewall or NAT is in between.';
}

/**
 * connect() ran out of time in `phase`: 'offer' (waiting for the server's answer) or 'ice' (the
 * media connection). states: the peer connection's {connectionState, iceConnectionState};
 * offered: the server's media addresses (mediaPathHelp).
 */
export function connectTimeoutError(phase, timeoutMs, server, states, offered = null) {
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (phase === 'offer') {
    return new AvpushViewerError('timeout', `the avpush server at ${server} did not answer the offer within ${seconds} s: `
      + 'check that it runs and is not overloaded');
  }
  return new AvpushViewerError('ice-timeout', `no media connection to the avpush server within ${seconds} s `
    + `(connection ${states.connectionState}, ICE ${states.iceConnectionState}). ${mediaPathHelp(offered)}`, {offered});
}

/**
 * What a peer connection state means for a viewer that is `connecting` or already `connected`:
 * an error for 'failed' and 'closed' (one we did not close ourselves), else null. offered: the
 * server's media addresses (mediaPathHelp).
 */
export function connectionStateFailure(connectionState, phase, offered = null) {
  if (connectionState === 'failed') {
    return phase === 'connected'
      ? new AvpushViewerError('dropped', 'the media connection to the avpush server failed: the server ended this viewer '
        + 'or the network between them broke; connect again')
      : new AvpushViewerError('ice-failed', `no media connection to the avpush server could be made. ${mediaPathHelp(offered)}`,
        {offered});
  }
  if (connectionState === 'closed') {
    return new AvpushViewerError('dropped', 'the media connection to the avpush server was closed; connect again');
  }
  return null;
}

/**
 * The server no longer has this viewer: serverMessage says why (its 404 to the probe, or the
 * session's end on the events channel); reply: the server's {status, error} when it answered, so
 * that a page can tell a session that ended (error 'session_not_found') from a viewer that did.
 */
export function droppedError(serverMessage, {status = null, error = null} = {}) {
  return new AvpushViewerError('dropped', `the avpush server ended this viewer: ${serverMessage}`, {status, error});
}

/**
 * The server closed the events channel while the media connection was up, which it does only when
 * it ends the viewer. reply: its 404 (an AvpushViewerError) when asked about the viewer, or null.
 */
export function serverClosedError(reply) {
  return reply ? droppedError(reply.message, reply)
    : droppedError('it closed this viewer\'s connection (the viewer or its session was deleted, or the server is stopping)');
}
