// The WebAssembly codecs (jSquash's builds of MozJPEG and libwebp), each compiled once per
// isolate by wrangler (`*.wasm` imports) but instantiated afresh for every image: a codec that
// aborts on a hostile file cannot poison the next request, and the tens of megabytes a large
// decode grows its memory to are garbage once the instance is dropped, instead of staying
// reserved by the isolate for its lifetime.
import jpegDecoderFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import jpegDecoderWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import jpegEncoderFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import jpegEncoderWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecoderWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { ImageError } from './errors.js';

export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

type EmscriptenFactory<M> = (opts: {
  noInitialRun: boolean;
  instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports;
}) => Promise<M>;

interface JpegDecoder {
  decode(data: BufferSource, preserveOrientation: boolean): RgbaImage | null;
}
interface WebpDecoder {
  decode(data: BufferSource): RgbaImage | null;
}
interface JpegEncoder {
  encode(data: BufferSource, width: number, height: number, options: typeof JPEG_OPTIONS): Uint8Array;
}

function instantiate<M>(factory: unknown, module: WebAssembly.Module): Promise<M> {
  return (factory as EmscriptenFactory<M>)({
    noInitialRun: true,
    instantiateWasm: (imports, done) => {
      const instance = new WebAssembly.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
  });
}

/** Decodes a JPEG to RGBA, applying its EXIF orientation. */
export async function decodeJpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const codec = await instantiate<JpegDecoder>(jpegDecoderFactory, jpegDecoderWasm);
  return checked(() => codec.decode(bytes, false), 'JPEG');
}

/** Decodes a still WebP (lossy or lossless) to RGBA; animated WebP is not supported by this decoder. */
export async function decodeWebp(bytes: Uint8Array): Promise<RgbaImage> {
  const codec = await instantiate<WebpDecoder>(webpDecoderFactory, webpDecoderWasm);
  return checked(() => codec.decode(bytes), 'WebP');
}

// MozJPEG's defaults (jSquash meta.js) at thumbnail quality.
const JPEG_OPTIONS = {
  quality: 80,
  baseline: false,
  arithmetic: false,
  progressive: true,
  optimize_coding: true,
  smoothing: 0,
  color_space: 3,
  quant_table: 3,
  trellis_multipass: false,
  trellis_opt_zero: false,
  trellis_opt_table: false,
  trellis_loops: 1,
  auto_subsample: true,
  chroma_subsample: 2,
  separate_chroma_quality: false,
  chroma_quality: 75,
};

export async function encodeJpeg(rgba: Uint8ClampedArray, width: number, height: number): Promise<Uint8Array> {
  const codec = await instantiate<JpegEncoder>(jpegEncoderFactory, jpegEncoderWasm);
  return new Uint8Array(codec.encode(rgba, width, height, JPEG_OPTIONS));
}

function checked(decode: () => RgbaImage | null, what: string): RgbaImage {
  let image: RgbaImage | null;
  try {
    image = decode();
  } catch (e) {
    throw new ImageError('corrupt', `${what} decoder failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!image) throw new ImageError('corrupt', `Cannot decode this ${what} image`);
  return image;
}
