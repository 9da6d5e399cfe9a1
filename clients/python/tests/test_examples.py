"""Every example in examples/ runs against the live node as a user runs it: it prints where to
watch, a real viewer opens the session, and the example does what it says, then deletes its session."""

import os
import re
import subprocess
import sys
import unittest

from avpush import AvpushClient
from live import Viewers, node_url

CLIENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(CLIENT, "examples")


class ExamplesTest(unittest.TestCase):

    def run_example(self, name, *args):
        url = node_url()
        process = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, name), "--url", url] + list(args),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(process.kill)
        first = process.stdout.readline()
        watch = re.match(r"watch: (\S+)/\?session=(\S+)", first)
        self.assertIsNotNone(watch, "the example says where to watch first, not %r" % first)
        sid = watch.group(2)
        viewers = Viewers.get()
        viewers.connect(url, sid)
        self.addCleanup(viewers.close, sid)
        rest, _ = process.communicate(timeout=90)
        self.assertEqual(0, process.returncode, first + rest)
        self.assertNotIn(sid, AvpushClient(url).list_sessions(), "the example deleted its session")
        return rest, viewers

    def test_upload_numpy(self):
        out, _ = self.run_example("upload_numpy.py", "--seconds", "1")
        queued = re.search(r"queued (\S+): 1000 ms, 30 frames", out)
        self.assertIsNotNone(queued, out)
        self.assertIn("finished %s at frame" % queued.group(1), out)

    def test_stream_realtime(self):
        out, _ = self.run_example("stream_realtime.py", "--seconds", "2")
        self.assertRegex(out, r"streamed \S+: 2000 ms received, 0 gap ticks")
        self.assertIn("the session counts 0 gap ticks", out)

    def test_barge_in(self):
        out, _ = self.run_example("barge_in.py", "--speech-at", "1.0")
        spoke = re.search(r"user spoke at ([\d.]+) s: interrupted \S+ after (\d+) ms of it", out)
        self.assertIsNotNone(spoke, out)
        heard_ms, cut_after_ms = 1000 * float(spoke.group(1)), int(spoke.group(2))
        # The answer started when the microphone did: no more of it can have played than the time until the
        # user was heard, plus the interrupt's round trip and the frame it waits for (a second, on a busy machine).
        self.assertGreater(cut_after_ms, 0, out)
        self.assertLessEqual(cut_after_ms, heard_ms + 1000, "cut within moments of the user speaking, not %d ms into "
                             "the answer: %s" % (cut_after_ms, out))
        self.assertIn("the stream stopped: streamed segment", out)

    def test_react_to_events(self):
        out, _ = self.run_example("react_to_events.py")
        self.assertEqual(["Hello.", "I am an avatar.", "Goodbye."], re.findall(r"caption: (.*)", out))
        self.assertIn("lamp on at frame", out)
        self.assertIn("all 3 sentences said", out)



class BenchCommandTest(unittest.TestCase):
    """The benchmark command runs and reports both inputs (its figures are not judged here)."""

    def test_the_benchmark_command_prints_the_rates(self):
        url = node_url()
        run = subprocess.run([sys.executable, "-m", "avpush.bench", "--url", url, "--seconds", "0.5", "--runs", "1",
                              "--warmup", "0", "--size", "128"], capture_output=True, text=True, timeout=120)
        self.assertEqual(0, run.returncode, run.stdout + run.stderr)
        self.assertRegex(run.stdout, r"machine: .+, \d+ cores, kernel .+; load before: ")
        self.assertRegex(run.stdout, r"numpy arrays, numpy masking: +[\d.]+x real time")
        self.assertRegex(run.stdout, r"bytes, no numpy: +[\d.]+x real time")


class ReadmeExamplesTest(unittest.TestCase):
    """The upload examples of avpush's README and of this client's README run as written."""

    def run_block(self, readme, heading):
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        section = text[text.index(heading):]
        code = section[section.index("```python\n") + len("```python\n"):section.index("\n```", section.index("```python"))]
        url = node_url()
        run = subprocess.run([sys.executable, "-c", code.replace("http://localhost:8080", url)],
                             capture_output=True, text=True, timeout=60)
        watch = re.search(r"watch at \S+\?session=(\S+)", run.stdout)
        if watch:
            self.addCleanup(AvpushClient(url).delete_session, watch.group(1))
        self.assertEqual(0, run.returncode, run.stdout + run.stderr)
        self.assertIsNotNone(watch, run.stdout)
        status = AvpushClient(url).status(watch.group(1))
        self.assertEqual(("waiting-for-viewer", 1), (status["state"], len(status["queued"])),
                         "the segment waits for a viewer: %s" % status)
        return run.stdout

    def test_the_projects_readme_example(self):
        out = self.run_block(os.path.join(CLIENT, "..", "..", "README.md"), "## Python client")
        self.assertIn("'durationMs': 2000.0", out)

    def test_the_clients_readme_example(self):
        out = self.run_block(os.path.join(CLIENT, "README.md"), "## Upload a segment")
        self.assertRegex(out, r"\S+ 2000.0")


if __name__ == "__main__":
    unittest.main()
