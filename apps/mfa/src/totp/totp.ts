import { timingSafeEqual } from 'node:crypto';
import { generateSync } from 'otplib';

/** What every mainstream authenticator app reads: SHA-1, 6 digits, 30-second steps (RFC 6238 defaults). */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted on either side of the current one (RFC 6238 §5.2). */
export const TOTP_DRIFT_STEPS = 1;
/** 160 bits, the length RFC 4226 recommends and the authenticator apps expect. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function stepAt(time: Date): number {
  return Math.floor(time.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of one time step (otplib computes the HOTP value of the step's counter). */
export function codeForStep(secret: Uint8Array, step: number): string {
  return generateSync({ secret, epoch: step * TOTP_PERIOD_SECONDS, period: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS, algorithm: 'sha1' });
}

/**
 * The time step whose code `code` is, within ±TOTP_DRIFT_STEPS of `now`, or undefined. The caller
 * still has to claim the step (replay guard): a match alone is not an acceptance. Every candidate is
 * compared, in constant time, so timing does not tell which step matched.
 */
export function matchStep(secret: Uint8Array, code: string, now: Date): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const current = stepAt(now);
  const given = Buffer.from(code, 'ascii');
  let matched: number | undefined;
  for (let offset = -TOTP_DRIFT_STEPS; offset <= TOTP_DRIFT_STEPS; offset++) {
    const step = current + offset;
    const equal = timingSafeEqual(Buffer.from(codeForStep(secret, step), 'ascii'), given);
    // The latest matching step wins: claiming it also retires the earlier ones.
    if (equal) matched = step;
  }
  return matched;
}

/** `ABCD EFGH …`: the key as people type it from the screen. */
export function manualKey(secretBase32: string): string {
  return secretBase32.match(/.{1,4}/g)!.join(' ');
}

/** Percent-encodes everything outside RFC 3986's unreserved set, `'()*!` and `:` included. */
function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Key URI (Google Authenticator format): label `Issuer:username`, issuer repeated as a parameter.
 * Both parts are percent-encoded, a colon in either included, so any username survives the trip.
 */
export function otpauthUrl(issuer: string, username: string, secretBase32: string): string {
  const label = `${strictEncode(issuer)}:${strictEncode(username)}`;
  const query = `secret=${secretBase32}&issuer=${strictEncode(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
  return `otpauth://totp/${label}?${query}`;
}
