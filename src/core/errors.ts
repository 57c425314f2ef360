// Matrix error codes and the one error type the HTTP edge turns into `{errcode, error}`.
// Services and the core return outcomes as values; only the edge throws MatrixError.

export type ErrCode =
  | 'M_FORBIDDEN'
  | 'M_UNKNOWN_TOKEN'
  | 'M_MISSING_TOKEN'
  | 'M_USER_LOCKED'
  | 'M_USER_SUSPENDED'
  | 'M_BAD_JSON'
  | 'M_NOT_JSON'
  | 'M_NOT_FOUND'
  | 'M_LIMIT_EXCEEDED'
  | 'M_UNRECOGNIZED'
  | 'M_UNKNOWN'
  | 'M_UNAUTHORIZED'
  | 'M_USER_DEACTIVATED'
  | 'M_USER_IN_USE'
  | 'M_INVALID_USERNAME'
  | 'M_ROOM_IN_USE'
  | 'M_INVALID_ROOM_STATE'
  | 'M_THREEPID_IN_USE'
  | 'M_THREEPID_NOT_FOUND'
  | 'M_THREEPID_AUTH_FAILED'
  | 'M_THREEPID_DENIED'
  | 'M_SERVER_NOT_TRUSTED'
  | 'M_UNSUPPORTED_ROOM_VERSION'
  | 'M_INCOMPATIBLE_ROOM_VERSION'
  | 'M_BAD_STATE'
  | 'M_GUEST_ACCESS_FORBIDDEN'
  | 'M_CAPTCHA_NEEDED'
  | 'M_CAPTCHA_INVALID'
  | 'M_MISSING_PARAM'
  | 'M_INVALID_PARAM'
  | 'M_TOO_LARGE'
  | 'M_EXCLUSIVE'
  | 'M_RESOURCE_LIMIT_EXCEEDED'
  | 'M_CANNOT_LEAVE_SERVER_NOTICE_ROOM'
  | 'M_WEAK_PASSWORD'
  | 'M_UNABLE_TO_AUTHORISE_JOIN'
  | 'M_UNABLE_TO_GRANT_JOIN'
  | 'M_CANNOT_OVERWRITE_MEDIA'
  | 'M_NOT_YET_UPLOADED'
  | 'M_WRONG_ROOM_KEYS_VERSION'
  | 'M_THREEPID_MEDIUM_NOT_SUPPORTED'
  | 'M_BAD_ALIAS'
  | 'M_KEY_TOO_LARGE'
  | 'M_PROFILE_TOO_LARGE';

export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: ErrCode,
    message: string,
    /** Extra top-level fields of the error body, e.g. `retry_after_ms` or UIA `flows`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
  }

  body(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const badJson = (message: string) => new MatrixError(400, 'M_BAD_JSON', message);
export const notJson = (message = 'Content not JSON.') => new MatrixError(400, 'M_NOT_JSON', message);
export const forbidden = (message: string) => new MatrixError(403, 'M_FORBIDDEN', message);
export const notFound = (message = 'Not found') => new MatrixError(404, 'M_NOT_FOUND', message);
export const unrecognized = (status: 404 | 405 | 400, message = 'Unrecognized request') =>
  new MatrixError(status, 'M_UNRECOGNIZED', message);
export const tooLarge = (message = 'Request body too large') => new MatrixError(413, 'M_TOO_LARGE', message);
export const limitExceeded = (retryAfterMs: number) =>
  new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', { retry_after_ms: retryAfterMs });
export const missingParam = (message: string) => new MatrixError(400, 'M_MISSING_PARAM', message);
export const invalidParam = (message: string) => new MatrixError(400, 'M_INVALID_PARAM', message);
