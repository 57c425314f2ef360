// Downscaling by area averaging (a box filter with exact fractional coverage), fed one source
// row at a time so that a decoder may stream rows without holding the whole image. Colours
// are averaged weighted by alpha (premultiplied), so transparent pixels do not darken edges.
// Memory: the output accumulator (4 doubles per output pixel) and one row; never the source.
import type { ThumbnailPlan } from './geometry.js';

export class AreaResampler {
  private readonly acc: Float64Array;
  private readonly row: Float64Array;
  /** Per output column: the range of source columns in `colIdx`/`colW` that cover it. */
  private readonly colStart: Int32Array;
  private readonly colIdx: Int32Array;
  private readonly colW: Float64Array;
  private readonly scaleY: number;

  constructor(private readonly plan: ThumbnailPlan) {
    const { sw, sh, width, height } = plan;
    if (width > sw || height > sh || width < 1 || height < 1) throw new RangeError('AreaResampler only shrinks');
    this.acc = new Float64Array(width * height * 4);
    this.row = new Float64Array(width * 4);
    this.scaleY = sh / height;
    const scaleX = sw / width;
    // Each output column covers [x*scaleX, (x+1)*scaleX) of the source; at most ceil(scaleX)+1 columns.
    const idx: number[] = [];
    const w: number[] = [];
    this.colStart = new Int32Array(width + 1);
    for (let x = 0; x < width; x++) {
      this.colStart[x] = idx.length;
      const from = x * scaleX;
      const to = (x + 1) * scaleX;
      for (let s = Math.floor(from); s < to && s < sw; s++) {
        const cover = Math.min(to, s + 1) - Math.max(from, s);
        if (cover > 1e-9) {
          idx.push(s);
          w.push(cover / scaleX);
        }
      }
    }
    this.colStart[width] = idx.length;
    this.colIdx = Int32Array.from(idx);
    this.colW = Float64Array.from(w);
  }

  /**
   * Adds source row `y` (image coordinates; rows outside the plan's rectangle are ignored).
   * `rgba` holds the whole row, 4 bytes per pixel, starting at the image's x = 0.
   */
  pushRow(y: number, rgba: Uint8Array | Uint8ClampedArray): void {
    const { sx, sy, sh, width } = this.plan;
    const ry = y - sy;
    if (ry < 0 || ry >= sh) return;
    // Horizontal pass: premultiplied, weighted sum per output column.
    const row = this.row;
    const { colStart, colIdx, colW } = this;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = colStart[x]!, end = colStart[x + 1]!; k < end; k++) {
        const p = (sx + colIdx[k]!) * 4;
        const wa = colW[k]! * rgba[p + 3]!;
        r += rgba[p]! * wa;
        g += rgba[p + 1]! * wa;
        b += rgba[p + 2]! * wa;
        a += wa;
      }
      const o = x * 4;
      row[o] = r;
      row[o + 1] = g;
      row[o + 2] = b;
      row[o + 3] = a;
    }
    // Vertical pass: this source row covers [ry, ry+1), i.e. output rows ry/scaleY .. (ry+1)/scaleY.
    const scaleY = this.scaleY;
    const firstOut = Math.floor(ry / scaleY);
    for (let oy = firstOut; oy < this.plan.height && oy * scaleY < ry + 1; oy++) {
      const cover = Math.min(ry + 1, (oy + 1) * scaleY) - Math.max(ry, oy * scaleY);
      if (cover <= 1e-9) continue;
      const wy = cover / scaleY;
      const base = oy * width * 4;
      const acc = this.acc;
      for (let i = 0; i < width * 4; i++) acc[base + i]! += row[i]! * wy;
    }
  }

  /** The output pixels, RGBA. */
  finish(): Uint8ClampedArray {
    const acc = this.acc;
    const out = new Uint8ClampedArray(acc.length);
    for (let i = 0; i < acc.length; i += 4) {
      const a = acc[i + 3]!;
      if (a > 0) {
        out[i] = acc[i]! / a + 0.5;
        out[i + 1] = acc[i + 1]! / a + 0.5;
        out[i + 2] = acc[i + 2]! / a + 0.5;
        out[i + 3] = a / 255 + 0.5;
      }
    }
    return out;
  }
}

/** Resamples a whole decoded RGBA image according to the plan. */
export function resampleImage(rgba: Uint8Array | Uint8ClampedArray, imageWidth: number, plan: ThumbnailPlan): Uint8ClampedArray {
  const r = new AreaResampler(plan);
  const stride = imageWidth * 4;
  for (let y = plan.sy; y < plan.sy + plan.sh; y++) r.pushRow(y, rgba.subarray(y * stride, (y + 1) * stride));
  return r.finish();
}
