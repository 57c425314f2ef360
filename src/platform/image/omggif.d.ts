// The part of omggif (MIT, plain JavaScript, no bundled types) that the thumbnailer uses.
declare module 'omggif' {
  export interface GifFrameInfo {
    x: number;
    y: number;
    width: number;
    height: number;
    disposal: number;
    delay: number;
    transparent_index: number | null;
    interlaced: boolean;
  }
  export class GifReader {
    constructor(bytes: Uint8Array);
    readonly width: number;
    readonly height: number;
    numFrames(): number;
    frameInfo(frame: number): GifFrameInfo;
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array | Uint8ClampedArray): void;
  }
  /** Used by the tests to make fixtures. */
  export class GifWriter {
    constructor(buf: Uint8Array, width: number, height: number, options?: { palette?: number[]; loop?: number });
    addFrame(x: number, y: number, w: number, h: number, indexedPixels: number[] | Uint8Array, options?: { palette?: number[]; delay?: number; transparent?: number; disposal?: number }): number;
    end(): number;
  }
}
