/**
 * Every error a client can see, defined once. Services raise `DomainError(code)`; the gateway maps the
 * code to exactly one HTTP status here. Codes are a stable API: add new ones, never rename.
 */
export const ErrorCodes = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_INVALID: 401,
  SESSION_REVOKED: 401,
  SUPPORT_KEY_INVALID: 401,
  FORBIDDEN: 403,
  IP_NOT_ALLOWED: 403,
  MFA_REQUIRED_BY_ACCOUNT: 403,
  MFA_SETUP_REQUIRED: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  SAFELIST_LOCKS_OUT_ACTOR: 409,
  MFA_ALREADY_ENABLED: 409,
  MFA_NOT_ENABLED: 409,
  MFA_SETUP_NOT_STARTED: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  MFA_CODE_INVALID: 401,
  MFA_CHALLENGE_INVALID: 401,
  MFA_CODE_EXPIRED: 401,
  MFA_LOCKED: 423,
  MFA_METHOD_NOT_ALLOWED: 400,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ErrorCodes[code];
}
