/**
 * What a person reads for each API error code (libs/common/src/errors/error-codes.ts). One map, one
 * place: a code without an entry falls back to the API's own message. Some entries use the API's
 * message or details because they carry the specifics (which entry is invalid, which address).
 * Pure module (no DOM), so a unit test can check every API code has an entry.
 */
export interface ApiErrorLike {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

type Describe = string | ((error: ApiErrorLike) => string);

function detail(error: ApiErrorLike, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = error.details?.[key];
    if (typeof value === 'string' && value) return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function until(error: ApiErrorLike): string {
  const value = detail(error, 'lockedUntil', 'until', 'retryAt');
  if (value) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return ` until ${date.toLocaleTimeString()}`;
  }
  const seconds = Number(detail(error, 'retryAfterSeconds', 'retryAfter'));
  if (Number.isFinite(seconds) && seconds > 0) return ` for about ${Math.max(1, Math.ceil(seconds / 60))} minute${seconds > 60 ? 's' : ''}`;
  return ' for a while';
}

export const ERROR_MESSAGES: Record<string, Describe> = {
  VALIDATION_FAILED: (e) => `Please check what you entered. ${e.message}`,
  MALFORMED_REQUEST: 'Twofold could not read that request. Reload the page and try again.',
  UNAUTHENTICATED: 'Please sign in to continue.',
  INVALID_CREDENTIALS: 'The username or password is incorrect.',
  TOKEN_INVALID: 'Your session has expired. Please sign in again.',
  SESSION_REVOKED: 'Your session has ended (you signed out, or your multi-factor authentication was reset). Please sign in again.',
  SUPPORT_KEY_INVALID: 'The support key was not accepted.',
  FORBIDDEN: 'You do not have permission to do that. Only account holders manage practice settings and users.',
  IP_NOT_ALLOWED: "Access from your current IP address is blocked by your practice's IP safelist. Ask an account holder to add your address.",
  MFA_REQUIRED_BY_ACCOUNT:
    "Your practice requires multi-factor authentication for all users, so you can't remove your authenticator. If you lost your device, ask an account holder to reset your MFA.",
  MFA_SETUP_REQUIRED: 'You need to set up multi-factor authentication before you can continue. Sign in again to start the setup.',
  NOT_FOUND: 'We could not find what you were looking for.',
  ROUTE_NOT_FOUND: 'This feature is not available on this server yet.',
  ACCOUNT_NOT_FOUND: 'That practice does not exist, or you do not have access to it.',
  USER_NOT_FOUND: 'That user does not exist in your practice.',
  METHOD_NOT_ALLOWED: 'This action is not available on this server.',
  CONFLICT: 'That clashes with a change made elsewhere. Reload the page and try again.',
  USERNAME_TAKEN: 'That username is already taken.',
  // The API names the holder's address and what to do; its message is the clearest one.
  SAFELIST_LOCKS_OUT_ACTOR: (e) => {
    if (e.message) return e.message;
    const ip = detail(e, 'currentIp', 'ip');
    return `This list would lock you out: your current IP address${ip ? `, ${ip},` : ''} is not on it. Add it (or a range that contains it) and save again.`;
  },
  MFA_ALREADY_ENABLED: 'Multi-factor authentication is already set up.',
  MFA_NOT_ENABLED: 'Multi-factor authentication is not set up, so there is nothing to remove.',
  MFA_SETUP_NOT_STARTED: 'This setup has expired or was never started. Start the setup again to get a new QR code.',
  REQUEST_TIMEOUT: 'The request took too long to arrive. Check your connection and try again.',
  PAYLOAD_TOO_LARGE: 'What you entered is too long.',
  IDEMPOTENCY_KEY_REUSED: 'That request was already sent with different content. Reload the page and try again.',
  HEADERS_TOO_LARGE: 'Your browser sent too much data with the request. Reload the page, or sign out and in again.',
  UNSUPPORTED_MEDIA_TYPE: 'Twofold could not read that request. Reload the page and try again.',
  MFA_CODE_INVALID: 'That code is not valid. Enter the current code (each code works only once) and try again.',
  MFA_CODE_EXPIRED: 'That code has expired. Send yourself a new one and enter it within 10 minutes.',
  MFA_CHALLENGE_INVALID: 'This sign-in attempt has expired or was already used. Please sign in again.',
  MFA_LOCKED: (e) => `Too many wrong codes: multi-factor sign-in is locked${until(e)}. Try again later, or ask an account holder to help.`,
  MFA_METHOD_NOT_ALLOWED: 'That method is not available for your account.',
  RATE_LIMITED: (e) => `Too many attempts. Please wait${until(e).replace(' for a while', ' a little')} and try again.`,
  INTERNAL: (e) => {
    const ref = detail(e, 'correlationId');
    return `Something went wrong on our side. Please try again.${ref ? ` (Reference: ${ref})` : ''}`;
  },
  SERVICE_UNAVAILABLE: 'Twofold is temporarily unavailable. Please try again in a moment.',
  SERVICE_TIMEOUT: 'Twofold took too long to answer. Please try again.',
  // Not API codes: raised by the UI's own client.
  NETWORK: 'Twofold cannot be reached. Check your connection and try again.',
  BAD_RESPONSE: 'Twofold answered something unexpected. Reload the page and try again.',
};

/** The message a person sees for an API error. */
export function describeError(error: ApiErrorLike): string {
  const entry = ERROR_MESSAGES[error.code];
  if (typeof entry === 'function') return entry(error);
  if (typeof entry === 'string') return entry;
  return error.message || `Request failed (HTTP ${error.status}).`;
}

/** Per-entry problems named by the API in a 400 (e.g. invalid safelist entries), as readable lines. */
export function errorDetailLines(error: ApiErrorLike): string[] {
  const details = error.details;
  if (!details) return [];
  const lines: string[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'string') lines.push(item);
        else if (item && typeof item === 'object') {
          const record = item as Record<string, unknown>;
          const what = record.entry ?? record.value ?? record.field ?? record.property ?? record.path;
          const why = record.message ?? record.reason ?? record.problem ?? record.constraints;
          const reason = typeof why === 'object' && why ? Object.values(why as Record<string, unknown>).join('; ') : why;
          if (what !== undefined || reason !== undefined) lines.push([what, reason].filter((p) => p !== undefined).map(String).join(': '));
        }
      }
    }
  };
  for (const key of ['invalidEntries', 'entries', 'invalid', 'errors', 'fields', 'issues']) collect(details[key]);
  return lines;
}
