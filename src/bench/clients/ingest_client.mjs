// Upload client of IngestBench (src/bench/java/io/avpush/bench/IngestBench.java): Node's own fetch
// with a FormData body, as a JavaScript producer sends a segment.
//   node ingest_client.mjs BASE_URL SESSION_ID COUNT AUDIO.wav VIDEO.bgr
import { readFileSync } from 'node:fs';

const [base, sessionId, count, wavPath, videoPath] = process.argv.slice(2);
const wav = new Blob([readFileSync(wavPath)]);
const video = new Blob([readFileSync(videoPath)]);
const url = `${base}/api/sessions/${sessionId}/segments`;
for (let i = 0; i < Number(count); i++) {
  const form = new FormData();
  form.append('audio', wav, 'a.wav');
  form.append('video', video, 'v.bgr');
  form.append('width', '512');
  form.append('height', '512');
  form.append('fps', '30');
  const reply = await fetch(url, { method: 'POST', body: form });
  const text = await reply.text();
  if (reply.status !== 202) {
    console.error(`fetch upload answered ${reply.status}: ${text}`);
    process.exit(1);
  }
}
