"""AsyncAvpushClient against a live node, with a real WebRTC viewer watching each session."""

import asyncio
import time
import unittest

from avpush import AsyncAvpushClient, AvpushError
from live import LiveCase, frames_bytes, tone

W = H = 64


class AsyncClientTest(LiveCase):

    def setUp(self):
        super().setUp()
        self.aclient = AsyncAvpushClient(self.url, timeout=20)

    def run_async(self, coroutine):
        return asyncio.run(asyncio.wait_for(coroutine, 60))

    def test_sessions_are_made_listed_and_deleted(self):
        async def scenario():
            session = await self.aclient.create_session(fps="30000/1001", width=32, height=32)
            sid = session["sessionId"]
            try:
                self.assertIn(sid, await self.aclient.list_sessions())
                self.assertEqual("30000/1001", (await self.aclient.status(sid))["fps"])
            finally:
                await self.aclient.delete_session(sid)
            with self.assertRaises(AvpushError) as gone:
                await self.aclient.status(sid)
            self.assertEqual(404, gone.exception.status)

        self.run_async(scenario())

    def test_an_upload_plays_and_async_events_tell_when(self):
        async def scenario():
            async with self.aclient.events(self.sid, timeout=20) as events:
                accepted = await self.aclient.upload_segment(self.sid, audio=tone(0.4, 16000), sample_rate=16000,
                                                             frames=frames_bytes(12, W, H, 210), fps=30)
                seen = []
                async for event in events:
                    seen.append(event["type"])
                    if event["type"] == "segment-finished" and event["segmentId"] == accepted["segmentId"]:
                        return seen

        seen = self.run_async(scenario())
        self.assertLess(seen.index("segment-started"), seen.index("segment-finished"))
        self.wait_for_grey(210)

    def test_a_stream_plays_while_it_streams_and_an_interrupt_ends_it(self):
        async def scenario():
            async with self.aclient.open_stream(self.sid, sample_rate=24000) as stream:
                for k in range(30):
                    await stream.send_audio(tone(1 / 30.0, 24000))
                    await stream.send_frame(frames_bytes(1, W, H, 140))
                first = await stream.close()
            await asyncio.get_running_loop().run_in_executor(None, self.events.wait_for, "segment-finished",
                                                             first["segmentId"])
            async with self.aclient.open_stream(self.sid, sample_rate=24000) as stream:
                for k in range(150):
                    await stream.send_audio(tone(1 / 30.0, 24000))
                    await stream.send_frame(frames_bytes(1, W, H, 140))
                cut = await self.aclient.interrupt(self.sid)
                while stream.ended is None:
                    await stream.send_frame(frames_bytes(1, W, H, 140))
                    await asyncio.sleep(0.05)
                second = await stream.close()
            return first, cut, stream, second

        first, cut, stream, second = self.run_async(scenario())
        self.assertAlmostEqual(1000.0, first["receivedMs"], delta=1)
        self.wait_for_grey(140)
        self.assertEqual(stream.segment_id, cut["cut"])
        self.assertTrue(second["ended"])

    def test_a_held_stream_lets_the_event_loop_run(self):
        """7 s of media as fast as it goes: the node holds the producer back after 5 s, and other
        tasks go on meanwhile."""
        async def scenario():
            ticks = []

            async def ticker():
                while True:
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.02)

            task = asyncio.ensure_future(ticker())
            started = time.monotonic()
            closed = await self.aclient.stream_segment(self.sid, audio=tone(7.0, 16000), sample_rate=16000,
                                                       frames=frames_bytes(210, W, H, 100), fps=30)
            took = time.monotonic() - started
            task.cancel()
            return closed, took, ticks

        closed, took, ticks = self.run_async(scenario())
        self.assertAlmostEqual(7000.0, closed["receivedMs"], delta=1)
        self.assertGreater(took, 1.5, "a producer held back sends 7 s of media in no less than 7 - 5 s")
        longest = max(b - a for a, b in zip(ticks, ticks[1:]))
        self.assertLess(longest, 0.5, "the loop ran other tasks while the stream was held back (longest pause %.3f s)"
                        % longest)

    def test_the_idle_loop_and_paced_stream_segment(self):
        async def scenario():
            loop = await self.aclient.set_idle(self.sid, frames=frames_bytes(6, W, H, 20), fps=30)
            t0 = time.monotonic()

            async def real_time(media_s):  # 300 ms ahead, as PacedStreamTest says why
                await asyncio.sleep(max(0.0, t0 + media_s - 0.3 - time.monotonic()))

            closed = await self.aclient.stream_segment(self.sid, audio=tone(1.0, 16000), sample_rate=16000,
                                                       frames=frames_bytes(30, W, H, 220), pace=real_time)
            status = await self.aclient.status(self.sid)
            await self.aclient.clear_idle(self.sid)
            return loop, closed, status, await self.aclient.status(self.sid)

        loop, closed, status, cleared = self.run_async(scenario())
        self.assertEqual(6, loop["frames"])
        self.assertEqual(loop["loopId"], status["idle"]["loopId"])
        self.assertIsNone(cleared["idle"])
        self.assertEqual(0, closed["gapTicks"])
        self.wait_for_grey(220)
        self.wait_for_grey(20)

    def test_a_message_the_node_refuses_raises_its_error(self):
        from avpush.stream import KIND_AUDIO, media_header

        async def scenario():
            async with self.aclient.open_stream(self.sid, sample_rate=16000) as stream:
                await stream._send(media_header(KIND_AUDIO, 9, 0), memoryview(b"\x00\x00"))
                await stream.close()

        with self.assertRaises(AvpushError) as bad:
            self.run_async(scenario())
        self.assertIn("audio format (header byte 1) is 9", bad.exception.message)


if __name__ == "__main__":
    unittest.main()
