"""Both clients against a live node over TLS, as behind a TLS-terminating proxy: https:// for the
HTTP calls and the events, wss:// for the stream, the certificate and host name checked.

The proxy is made here (standard library ssl and asyncio, in a thread of its own) in front of the
node at ``AVPUSH_URL``, with a self-signed certificate for ``localhost`` that the ``openssl`` CLI
makes in a temporary directory; the clients trust it through ``ssl_context``.
"""

import asyncio
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import unittest

from avpush import AsyncAvpushClient, AvpushClient, AvpushError
from avpush.httpproto import Node
from live import frames_bytes, node_url, tone

W = H = 512  # frames of 786 KB: the stream's large writes go through TLS


class TlsProxy:
    """Takes TLS on 127.0.0.1 (certificate for host name ``localhost``) and passes the plain bytes
    to and from the node; counts the connections it took."""

    def __init__(self, upstream: str) -> None:
        self.upstream = Node(upstream)
        self.dir = tempfile.mkdtemp(prefix="avpush-tls-")
        self.cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-keyout", key, "-out", self.cert, "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost"],
                           check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.CalledProcessError) as e:
            shutil.rmtree(self.dir)
            raise RuntimeError("the TLS test needs the openssl command (Debian's openssl) to make its "
                               "certificate: %s" % (getattr(e, "stderr", None) or e,)) from e
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(self.cert, key)
        self.connections = 0
        self.loop = asyncio.new_event_loop()
        # A client refusing the certificate fails the proxy's handshake: expected here, not logged.
        self.loop.set_exception_handler(lambda loop, context: None)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._relay, "127.0.0.1", 0, ssl=tls), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = "https://localhost:%d" % self.port

    def trusting_context(self) -> ssl.SSLContext:
        """What a user passes as ``ssl_context`` to trust the proxy's certificate."""
        return ssl.create_default_context(cafile=self.cert)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(self.upstream.host, self.upstream.port)
        except OSError:
            writer.close()
            return

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await source.read(65536)
                    if not data:
                        break
                    sink.write(data)
                    await sink.drain()
            except (OSError, ssl.SSLError):
                pass
            finally:  # either side closing ends the connection, as HTTP and WebSocket connections end
                writer.close()
                up_writer.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))

    def close(self) -> None:
        # asyncio objects are not thread-safe: the server is closed on its loop's thread (closing it
        # from this one raced the loop's own bookkeeping of the server's waiters).
        async def shut() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        shutil.rmtree(self.dir)


class TlsCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.node = AvpushClient(node_url(), timeout=20)  # plain, to the node itself: cleans up
        cls.proxy = TlsProxy(node_url())

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()

    def delete_later(self, session_id):
        self.addCleanup(lambda: session_id in self.node.list_sessions() and self.node.delete_session(session_id))


class BlockingTlsTest(TlsCase):

    def test_calls_events_and_the_stream_go_over_tls(self):
        client = AvpushClient(self.proxy.url, timeout=20, ssl_context=self.proxy.trusting_context())
        before = self.proxy.connections
        sid = client.create_session(fps=30, width=W, height=H)["sessionId"]
        self.delete_later(sid)
        self.assertEqual(512, client.status(sid)["width"])
        with client.events(sid, timeout=20) as events:
            accepted = client.upload_segment(sid, audio=tone(0.2, 16000), sample_rate=16000,
                                             frames=frames_bytes(6, W, H, 80), fps=30)
            self.assertEqual(6, accepted["frames"])
            queued = next(e for e in events if e["type"] == "segment-queued")
        self.assertEqual(accepted["segmentId"], queued["segmentId"])
        closed = client.stream_segment(sid, audio=tone(0.5, 16000), sample_rate=16000,
                                       frames=frames_bytes(15, W, H, 120), fps=30)
        self.assertAlmostEqual(500.0, closed["receivedMs"], delta=1)
        self.assertEqual(2, len(self.node.status(sid)["queued"]), "both segments reached the node")
        client.delete_session(sid)
        self.assertNotIn(sid, self.node.list_sessions())
        self.assertGreaterEqual(self.proxy.connections - before, 7, "every call went through the TLS proxy")

    def test_a_certificate_the_client_does_not_trust_is_refused_saying_what_to_do(self):
        with self.assertRaises(AvpushError) as untrusted:
            AvpushClient(self.proxy.url, timeout=20).create_session()
        self.assertEqual("connection_failed", untrusted.exception.error)
        self.assertIn("ssl_context that trusts its CA", untrusted.exception.message)
        with self.assertRaises(AvpushError) as stream:
            AvpushClient(self.proxy.url, timeout=20)._open_websocket("/api/sessions/x/stream")
        self.assertIn("certificate is not trusted", stream.exception.message)

    def test_the_host_name_is_checked_against_the_certificate(self):
        by_address = "https://127.0.0.1:%d" % self.proxy.port  # the certificate names localhost only
        with self.assertRaises(AvpushError) as wrong_name:
            AvpushClient(by_address, timeout=20, ssl_context=self.proxy.trusting_context()).list_sessions()
        self.assertIn("127.0.0.1", wrong_name.exception.message)
        self.assertIn("use the host name the certificate names", wrong_name.exception.message)


class AsyncTlsTest(TlsCase):

    def run_async(self, coroutine):
        return asyncio.run(asyncio.wait_for(coroutine, 60))

    def test_calls_events_and_the_stream_go_over_tls(self):
        client = AsyncAvpushClient(self.proxy.url, timeout=20, ssl_context=self.proxy.trusting_context())

        async def scenario():
            sid = (await client.create_session(fps=30, width=W, height=H))["sessionId"]
            self.delete_later(sid)
            accepted = None
            async with client.events(sid, timeout=20) as events:
                async for event in events:  # the first (av-diff, each second) says the stream is there
                    if accepted is None:
                        accepted = await client.upload_segment(sid, audio=tone(0.2, 16000), sample_rate=16000,
                                                               frames=frames_bytes(6, W, H, 80), fps=30)
                    elif event["type"] == "segment-queued":
                        break
            async with client.open_stream(sid, sample_rate=16000) as stream:
                for _ in range(15):
                    await stream.send_audio(tone(1 / 30.0, 16000))
                    await stream.send_frame(frames_bytes(1, W, H, 120))
                closed = await stream.close()
            status = await client.status(sid)
            await client.delete_session(sid)
            return accepted, event, closed, status, sid

        accepted, queued, closed, status, sid = self.run_async(scenario())
        self.assertEqual(accepted["segmentId"], queued["segmentId"])
        self.assertAlmostEqual(500.0, closed["receivedMs"], delta=1)
        self.assertEqual(2, len(status["queued"]), "both segments reached the node")
        self.assertNotIn(sid, self.node.list_sessions())

    def test_a_certificate_the_client_does_not_trust_is_refused_saying_what_to_do(self):
        with self.assertRaises(AvpushError) as untrusted:
            self.run_async(AsyncAvpushClient(self.proxy.url, timeout=20).create_session())
        self.assertEqual("connection_failed", untrusted.exception.error)
        self.assertIn("ssl_context that trusts its CA", untrusted.exception.message)


if __name__ == "__main__":
    unittest.main()
