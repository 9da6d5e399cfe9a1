"""numpy arrays as input: taken without copies when they already are what the node takes,
converted when they must be, refused with what to send when they cannot be. Needs numpy."""

import unittest

import numpy as np

from avpush.media import audio_buffer, frame_buffers, frame_size


class NumpyInputTest(unittest.TestCase):

    def test_uint8_frames_are_views_of_the_array(self):
        frames = np.arange(2 * 4 * 6 * 3, dtype=np.uint8).reshape(2, 4, 6, 3)
        views = frame_buffers(frames, 6, 4)
        self.assertEqual([frames[0].tobytes(), frames[1].tobytes()], [bytes(v) for v in views])
        frames[1, 0, 0, 0] = 255
        self.assertEqual(255, views[1][0], "the view reads the array itself, no copy")
        self.assertEqual((6, 4), frame_size(frames))
        self.assertEqual(1, len(frame_buffers(frames[0], 6, 4)))

    def test_a_reversed_channel_view_is_made_contiguous(self):
        rgb = np.zeros((4, 6, 3), dtype=np.uint8)
        rgb[..., 0] = 200  # red
        bgr = frame_buffers(rgb[..., ::-1], 6, 4)[0]
        self.assertEqual(bytes([0, 0, 200]) * 24, bytes(bgr))

    def test_float32_and_int16_samples_are_views_and_float64_is_converted(self):
        f32 = np.linspace(-1, 1, 100, dtype=np.float32)
        view, fmt = audio_buffer(f32)
        self.assertEqual(("f32le", f32.tobytes()), (fmt, bytes(view)))
        self.assertTrue(np.shares_memory(f32, np.frombuffer(view, dtype=np.float32)))
        i16 = np.arange(-5, 5, dtype=np.int16)
        self.assertEqual(("s16le", i16.tobytes()), (audio_buffer(i16)[1], bytes(audio_buffer(i16)[0])))
        self.assertEqual(np.float32(0.25).tobytes(), bytes(audio_buffer(np.array([0.25]))[0]))
        self.assertEqual(8, audio_buffer(np.zeros((2, 1), dtype=np.float32))[0].nbytes)

    def test_arrays_the_node_cannot_take_say_what_to_send(self):
        cases = [
            (lambda: frame_buffers(np.zeros((4, 6, 3), dtype=np.float32), 6, 4), "uint8 bgr24"),
            (lambda: frame_buffers(np.zeros((4, 6, 4), dtype=np.uint8), 6, 4), "(n, height, width, 3)"),
            (lambda: frame_buffers(np.zeros((4, 8, 3), dtype=np.uint8), 6, 4), "frames are 8x4 (width x height) but this session is 6x4"),
            (lambda: audio_buffer(np.zeros((10, 2), dtype=np.float32)), "mono"),
            (lambda: audio_buffer(np.zeros(10, dtype=np.int32)), "float (+-1.0 full scale) or int16"),
        ]
        for call, text in cases:
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn(text, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
