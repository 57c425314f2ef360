// Thumbnail geometry ("Thumbnails" in the client-server spec's content repository module):
// which part of the source becomes which output size. Pure arithmetic.
//
//   "scale" maintains the original aspect ratio of the image
//   "crop" provides an image in the aspect ratio of the sizes given in the request
//   Servers MUST NOT upscale thumbnails under any circumstance. Servers MUST NOT return a
//   smaller thumbnail than requested, unless the original content makes that impossible.
//   When the content is smaller than the requested dimensions, servers should return the
//   original content rather than thumbnail it.

export type ThumbnailMethod = 'crop' | 'scale';

/** Take the source rectangle (sx, sy, sw, sh) and resample it to width x height (never larger than sw x sh). */
export interface ThumbnailPlan {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  width: number;
  height: number;
}

/** The plan for a thumbnail, or 'original' when the source already fits the requested size. */
export function planThumbnail(
  srcW: number,
  srcH: number,
  reqW: number,
  reqH: number,
  method: ThumbnailMethod,
): ThumbnailPlan | 'original' {
  if (srcW <= reqW && srcH <= reqH) return 'original';
  if (method === 'scale') {
    // "either the width or the height is smaller than the requested size. The client should
    // then scale and letterbox": fit inside the box, one side equal to it (as Synapse does).
    const byWidth = reqW * srcH <= reqH * srcW;
    const width = byWidth ? reqW : Math.max(1, Math.round((srcW * reqH) / srcH));
    const height = byWidth ? Math.max(1, Math.round((srcH * reqW) / srcW)) : reqH;
    return { sx: 0, sy: 0, sw: srcW, sh: srcH, width, height };
  }
  // crop: cover the box, then cut the centre out.
  if (reqW * srcH >= reqH * srcW ? reqW <= srcW : reqH <= srcH) {
    // The box can be covered by shrinking: cut the box's aspect ratio from the centre.
    const byWidth = reqW * srcH >= reqH * srcW;
    const sw = byWidth ? srcW : Math.min(srcW, Math.round((reqW * srcH) / reqH));
    const sh = byWidth ? Math.min(srcH, Math.round((reqH * srcW) / reqW)) : srcH;
    return centred(srcW, srcH, Math.max(1, sw), Math.max(1, sh), reqW, reqH);
  }
  // One side is already smaller than requested: covering would need upscaling, so keep the
  // source's scale and cut out as much of the box as there is.
  const sw = Math.min(srcW, reqW);
  const sh = Math.min(srcH, reqH);
  return centred(srcW, srcH, sw, sh, sw, sh);
}

function centred(srcW: number, srcH: number, sw: number, sh: number, width: number, height: number): ThumbnailPlan {
  return { sx: Math.floor((srcW - sw) / 2), sy: Math.floor((srcH - sh) / 2), sw, sh, width, height };
}
