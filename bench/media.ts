// Media benchmarks against a running Cirrus (`npm start`), over HTTP from Node:
// upload and download throughput of 10 MB, and thumbnail generation time for a 4000x3000
// JPEG to 320x240 (uncached, then cached). Figures are printed, never asserted.
//
//   npx tsx bench/media.ts http://localhost:8008
//
// bench/run.ts calls `benchMedia(server.baseUrl)` and prints the rows. Needs open
// registration (as `npm start` and the bench servers have) unless an access token is passed.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { printTable, timeIt as timed, type Row } from './support.js';

const MB = 1024 * 1024;
const require = createRequire(import.meta.url);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function register(base: string): Promise<string> {
  const username = `bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const res = await fetch(`${base}/_matrix/client/v3/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: `pw-${Math.random()}`, auth: { type: 'm.login.dummy' } }),
  });
  if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A 4000x3000 JPEG made with the same MozJPEG build the Worker bundles, run in Node. */
async function bigJpeg(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const wasm = await WebAssembly.compile(await readFile(require.resolve('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm')));
  const factory = (await import('@jsquash/jpeg/codec/enc/mozjpeg_enc.js')).default as unknown as (o: object) => Promise<{
    encode(d: BufferSource, w: number, h: number, o: object): Uint8Array;
  }>;
  const { defaultOptions } = await import('@jsquash/jpeg/meta.js');
  const codec = await factory({
    noInitialRun: true,
    instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance) => void) => {
      const instance = new WebAssembly.Instance(wasm, imports);
      done(instance);
      return instance.exports;
    },
  });
  // A photo-like pattern (gradients and texture) so the JPEG has realistic entropy; the seed
  // makes every run's image new (identical content would hit the thumbnail cache).
  const seed = Math.floor(Math.random() * 1000);
  const px = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      px[i] = (x * 255) / width + ((x * y) % 17);
      px[i + 1] = (y * 255) / height + ((x ^ y) & 15);
      px[i + 2] = 128 + 100 * Math.sin((x + seed) / 50) * Math.cos(y / 70);
      px[i + 3] = 255;
    }
  }
  // Baseline, as cameras write them (a progressive JPEG counts 1.5x against the pixel limit).
  return new Uint8Array(codec.encode(px, width, height, { ...defaultOptions, quality: 85, progressive: false, baseline: true }));
}


export async function benchMedia(baseUrl: string, opts: { accessToken?: string; rounds?: number } = {}): Promise<Row[]> {
  const base = baseUrl.replace(/\/+$/, '');
  const rounds = opts.rounds ?? 3;
  const token = opts.accessToken ?? (await register(base));
  const auth = { Authorization: `Bearer ${token}` };
  const serverName = new URL(base).host;

  const upload = async (body: Uint8Array<ArrayBuffer>, contentType: string) => {
    const res = await fetch(`${base}/_matrix/media/v3/upload`, { method: 'POST', headers: { ...auth, 'Content-Type': contentType }, body });
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { content_uri: string }).content_uri.split('/').pop()!;
  };

  const payload = new Uint8Array(10 * MB);
  for (let o = 0; o < payload.length; o += 65536) crypto.getRandomValues(payload.subarray(o, o + 65536));
  const up: number[] = [];
  const down: number[] = [];
  let mediaId = '';
  for (let r = 0; r < rounds; r++) {
    const [id, ms] = await timed(() => upload(payload, 'application/octet-stream'));
    mediaId = id;
    up.push(ms);
    const [len, dms] = await timed(async () => {
      const res = await fetch(`${base}/_matrix/client/v1/media/download/${serverName}/${mediaId}`, { headers: auth });
      return (await res.arrayBuffer()).byteLength;
    });
    if (len !== payload.length) throw new Error(`download returned ${len} bytes`);
    down.push(dms);
  }

  const jpeg = await bigJpeg(4000, 3000);
  const jpegId = await upload(jpeg, 'image/jpeg');
  const thumb = async (w: number, h: number) => {
    const res = await fetch(`${base}/_matrix/client/v1/media/thumbnail/${serverName}/${jpegId}?width=${w}&height=${h}&method=scale`, { headers: auth });
    if (!res.ok) throw new Error(`thumbnail failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  // One untimed run first: the isolate compiles the codecs' WebAssembly lazily (tier-up).
  await thumb(300, 200);
  // Each size is a new cache entry: 320x240, 321x241, ... are all generated from scratch.
  const fresh: number[] = [];
  for (let r = 0; r < rounds; r++) fresh.push((await timed(() => thumb(320 + r, 240 + r)))[1]);
  const cached: number[] = [];
  for (let r = 0; r < rounds; r++) cached.push((await timed(() => thumb(320, 240)))[1]);

  const note = `median of ${rounds}`;
  return [
    { benchmark: 'upload 10 MB (POST /media/v3/upload)', figure: `${median(up).toFixed(0)} ms (${(10 / (median(up) / 1000)).toFixed(1)} MB/s)`, note },
    { benchmark: 'download 10 MB (GET /client/v1/media/download)', figure: `${median(down).toFixed(0)} ms (${(10 / (median(down) / 1000)).toFixed(1)} MB/s)`, note },
    {
      benchmark: `thumbnail 4000x3000 JPEG (${(jpeg.length / MB).toFixed(1)} MB) -> 320x240, generated`,
      figure: `${median(fresh).toFixed(0)} ms`,
      note: `${note}; baseline JPEG, decode + resample + encode + HTTP`,
    },
    { benchmark: 'thumbnail 320x240, from the R2 cache', figure: `${median(cached).toFixed(0)} ms`, note },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Media', await benchMedia(process.argv[2] ?? 'http://localhost:8008'));
}
