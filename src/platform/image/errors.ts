// Why an image could not be thumbnailed. Codecs throw ImageError; the thumbnailer turns it
// into an outcome value for the service.

export type ImageFailure = 'unsupported' | 'too_large' | 'corrupt' | 'busy';

export class ImageError extends Error {
  constructor(
    readonly reason: ImageFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}
