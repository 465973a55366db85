import { generateSync } from 'otplib';
import { api, UnexpectedResponseError } from '../http/api-client.js';
import type { StackRef } from './factories.js';

/**
 * An authenticator app for tests: reads the secret from an `otpauth://` URI and computes codes for the
 * current time step or a neighbour (the replay guard accepts each step once, so a second code in the
 * same 30 s needs `stepOffset: 1`).
 */
export interface TestAuthenticator {
  secret: string;
  recoveryCodes: string[];
  code(stepOffset?: number): string;
}

export function secretOfOtpauthUrl(otpauthUrl: string): string {
  const secret = new URL(otpauthUrl).searchParams.get('secret');
  if (!secret) throw new Error(`no secret in ${otpauthUrl}`);
  return secret;
}

export function totpCodeFor(secret: string, stepOffset = 0, now = Date.now()): string {
  const step = Math.floor(now / 30_000) + stepOffset;
  return generateSync({ secret, epoch: step * 30 });
}

/**
 * Sets up TOTP through a pair of endpoints (self-service `/api/v1/me/mfa/totp[/confirm]` with a session
 * token by default; pass the forced-setup pair and a setup token to go through that instead).
 * Answers the authenticator and the confirm answer's body.
 */
export async function enrolAuthenticator(
  stack: Pick<StackRef, 'baseUrl'>,
  token: string,
  paths: { start: string; confirm: string } = { start: '/api/v1/me/mfa/totp', confirm: '/api/v1/me/mfa/totp/confirm' },
): Promise<{ authenticator: TestAuthenticator; confirmed: Record<string, unknown> }> {
  const http = api(stack.baseUrl);
  const started = await http.post<{ otpauthUrl: string }>(paths.start, undefined, { token });
  if (started.status !== 200) throw new UnexpectedResponseError('enrolAuthenticator (start)', started);
  const secret = secretOfOtpauthUrl(started.body.otpauthUrl);
  const confirmed = await http.post<Record<string, unknown> & { recoveryCodes: string[] }>(paths.confirm, { code: totpCodeFor(secret) }, { token });
  if (confirmed.status !== 200) throw new UnexpectedResponseError('enrolAuthenticator (confirm)', confirmed);
  return {
    authenticator: { secret, recoveryCodes: confirmed.body.recoveryCodes, code: (stepOffset = 0) => totpCodeFor(secret, stepOffset) },
    confirmed: confirmed.body,
  };
}

/** Answers a sign-in challenge; throws unless the API answers 200. */
export async function passChallenge(stack: Pick<StackRef, 'baseUrl'>, challengeId: string, method: 'totp' | 'recovery_code', code: string): Promise<string> {
  const response = await api(stack.baseUrl).post<{ accessToken: string }>('/api/v1/auth/mfa/verify', { challengeId, method, code });
  if (response.status !== 200) throw new UnexpectedResponseError('passChallenge', response);
  return response.body.accessToken;
}
