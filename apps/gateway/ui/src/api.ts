/**
 * The UI's only way to the server: the public /api/v1 API over fetch, same origin.
 * The access token lives in sessionStorage (short-lived, no refresh token): it dies with the tab, on
 * sign-out, and whenever the API says the session is no longer good.
 */
import { describeError, type ApiErrorLike } from './errors.js';

const TOKEN_KEY = 'twofold.session';
const SESSION_ENDED_CODES = new Set(['SESSION_REVOKED', 'TOKEN_INVALID', 'UNAUTHENTICATED']);

export class ApiError extends Error implements ApiErrorLike {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What a person should read. */
  get human(): string {
    return describeError(this);
  }
}

/** Codes that mean "what you typed is wrong", so the field is marked invalid. */
const INPUT_CODES = new Set(['VALIDATION_FAILED', 'MALFORMED_REQUEST', 'INVALID_CREDENTIALS', 'MFA_CODE_INVALID', 'PAYLOAD_TOO_LARGE']);

export function isInputError(error: unknown): boolean {
  return error instanceof ApiError && INPUT_CODES.has(error.code);
}

/** Any thrown value as something to show. */
export function humanError(error: unknown): string {
  if (error instanceof ApiError) return error.human;
  return describeError({ status: 0, code: 'BAD_RESPONSE', message: error instanceof Error ? error.message : String(error) });
}

// ---- session ------------------------------------------------------------------------------------

interface StoredSession {
  token: string;
  expiresAt: number;
}

export const session = {
  get token(): string | undefined {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (!raw) return undefined;
    try {
      const stored = JSON.parse(raw) as StoredSession;
      if (typeof stored.token === 'string' && stored.expiresAt > Date.now()) return stored.token;
    } catch {
      /* corrupt: treat as absent */
    }
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  },
  /** Whether a token is stored and still within its lifetime ('expired' is told once, then forgotten). */
  state(): 'none' | 'active' | 'expired' {
    const stored = sessionStorage.getItem(TOKEN_KEY) !== null;
    if (this.token) return 'active';
    return stored ? 'expired' : 'none';
  },
  save(token: string, expiresInSeconds: number | undefined): void {
    // Without an expiry from the API, trust the token's own lifetime (the server refuses it anyway).
    const lifetime = typeof expiresInSeconds === 'number' && expiresInSeconds > 0 ? expiresInSeconds : tokenLifetime(token);
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt: Date.now() + lifetime * 1000 } satisfies StoredSession));
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

function tokenLifetime(token: string): number {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    if (typeof payload.exp === 'number') return Math.max(0, payload.exp - Date.now() / 1000);
  } catch {
    /* fall through */
  }
  return 15 * 60;
}

let onSessionEnded: (error: ApiError) => void = () => undefined;
/** Called when an authenticated call is refused because the session is over. */
export function whenSessionEnds(handler: (error: ApiError) => void): void {
  onSessionEnded = handler;
}

// ---- transport ----------------------------------------------------------------------------------

/** `session`: the stored access token; `{ bearer }`: another token (the setup token); `none`: anonymous. */
type Auth = 'session' | 'none' | { bearer: string };

async function call<T>(method: string, path: string, body?: unknown, auth: Auth = 'session'): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth === 'session') {
    const state = session.state();
    const token = session.token;
    if (!token) {
      // A stored token past its expiry reads as an expired session, not as "never signed in".
      const error = state === 'expired' ? new ApiError(401, 'TOKEN_INVALID', 'The session has expired.') : new ApiError(401, 'UNAUTHENTICATED', 'Not signed in.');
      onSessionEnded(error);
      throw error;
    }
    headers.authorization = `Bearer ${token}`;
  } else if (auth !== 'none') {
    headers.authorization = `Bearer ${auth.bearer}`;
  }

  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'Network error');
  }

  const text = await response.text();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (response.ok) return parsed as T;

  const raw = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const error = new ApiError(
    response.status,
    typeof raw?.code === 'string' ? raw.code : `HTTP_${response.status}`,
    typeof raw?.message === 'string' ? raw.message : `Request failed (HTTP ${response.status}).`,
    raw?.details && typeof raw.details === 'object' ? (raw.details as Record<string, unknown>) : undefined,
  );
  if (auth === 'session' && response.status === 401 && SESSION_ENDED_CODES.has(error.code)) {
    session.clear();
    onSessionEnded(error);
  }
  throw error;
}

// ---- shapes (issues 3, 4, 5; see libs/contracts) --------------------------------------------------

export type MfaMethod = 'totp' | 'recovery_code' | 'email' | string;

export type LoginReply =
  | { status: 'authenticated'; accessToken: string; expiresIn?: number }
  | { status: 'mfa_required'; challengeId: string; methods: MfaMethod[]; expiresIn?: number }
  | { status: 'mfa_setup_required'; setupToken: string; methods: MfaMethod[]; expiresIn?: number };

export interface Me {
  id: string;
  username: string;
  email: string;
  accountId: string;
  role: 'holder' | 'user' | string;
}

export interface TotpSetup {
  otpauthUrl: string;
  qrCode: string;
  manualKey: string;
  expiresIn?: number;
}

/** The answer to every "email me a code" (issue 5). */
export interface EmailCodeSent {
  /** Where the code went, masked (`z•••@example.com`). */
  sentTo?: string;
  expiresIn?: number;
  resendAfterSeconds?: number;
  sendsRemaining?: number;
}

export interface MfaStatus {
  enabled: boolean;
  methods: MfaMethod[];
  recoveryCodesRemaining?: number;
}

export interface SecuritySettings {
  mfaRequired: boolean;
  allowEmailCodes: boolean;
  ipSafelist: string[];
  [extra: string]: unknown;
}

export interface AccountUser {
  id: string;
  username: string;
  email: string;
  role: string;
  mfa: { status: 'enabled' | 'not_set_up' | string; methods: MfaMethod[] };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AuditEvent {
  [field: string]: unknown;
}

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) => call<LoginReply>('POST', '/auth/login', { username, password }, 'none'),
  logout: () => call<void>('POST', '/auth/logout'),
  verify: (challengeId: string, method: MfaMethod, code: string) =>
    call<{ status: 'authenticated'; accessToken: string; expiresIn?: number }>('POST', '/auth/mfa/verify', { challengeId, method, code }, 'none'),
  sendEmailCode: (challengeId: string) => call<EmailCodeSent | undefined>('POST', '/auth/mfa/email/send', { challengeId }, 'none'),

  // Forced setup, with the setup token as Bearer.
  setupTotpStart: (setupToken: string) => call<TotpSetup>('POST', '/auth/mfa/setup/totp', undefined, { bearer: setupToken }),
  setupTotpConfirm: (setupToken: string, code: string) =>
    call<{ status: 'authenticated'; accessToken: string; expiresIn?: number; recoveryCodes: string[] }>(
      'POST',
      '/auth/mfa/setup/totp/confirm',
      { code },
      { bearer: setupToken },
    ),
  setupEmailStart: (setupToken: string) => call<EmailCodeSent | undefined>('POST', '/auth/mfa/setup/email', undefined, { bearer: setupToken }),
  setupEmailConfirm: (setupToken: string, code: string) =>
    call<{ status: 'authenticated'; accessToken: string; expiresIn?: number; recoveryCodes?: string[] }>(
      'POST',
      '/auth/mfa/setup/email/confirm',
      { code },
      { bearer: setupToken },
    ),

  me: () => call<Me>('GET', '/me'),
  mfaStatus: () => call<MfaStatus>('GET', '/me/mfa'),
  totpStart: () => call<TotpSetup>('POST', '/me/mfa/totp'),
  totpConfirm: (code: string) => call<{ recoveryCodes: string[] }>('POST', '/me/mfa/totp/confirm', { code }),
  emailStart: () => call<EmailCodeSent | undefined>('POST', '/me/mfa/email'),
  emailConfirm: (code: string) => call<{ recoveryCodes: string[] }>('POST', '/me/mfa/email/confirm', { code }),
  /** A code by email to prove a change (remove, new recovery codes) for users without an app. */
  emailSendMe: () => call<EmailCodeSent | undefined>('POST', '/me/mfa/email/send'),
  removeMfa: (code: string) => call<unknown>('DELETE', '/me/mfa', { code }),
  regenerateRecoveryCodes: (code: string) => call<{ recoveryCodes: string[] }>('POST', '/me/mfa/recovery-codes', { code }),

  securitySettings: (accountId: string) => call<SecuritySettings>('GET', `/accounts/${enc(accountId)}/security-settings`),
  saveSecuritySettings: (accountId: string, settings: Pick<SecuritySettings, 'mfaRequired' | 'allowEmailCodes' | 'ipSafelist'>) =>
    call<SecuritySettings>('PUT', `/accounts/${enc(accountId)}/security-settings`, settings),
  users: (accountId: string, query: { username?: string; page?: number; pageSize?: number }) => {
    const params = new URLSearchParams();
    if (query.username) params.set('username', query.username);
    if (query.page) params.set('page', String(query.page));
    if (query.pageSize) params.set('pageSize', String(query.pageSize));
    const qs = params.toString();
    return call<Page<AccountUser>>('GET', `/accounts/${enc(accountId)}/users${qs ? `?${qs}` : ''}`);
  },
  user: (accountId: string, userId: string) => call<AccountUser>('GET', `/accounts/${enc(accountId)}/users/${enc(userId)}`),
  resetUserMfa: (accountId: string, userId: string) =>
    call<AccountUser | undefined>('POST', `/accounts/${enc(accountId)}/users/${enc(userId)}/mfa/reset`),
  auditEvents: (accountId: string, page: number, pageSize: number) =>
    call<Page<AuditEvent>>('GET', `/accounts/${enc(accountId)}/audit-events?page=${page}&pageSize=${pageSize}`),
};
