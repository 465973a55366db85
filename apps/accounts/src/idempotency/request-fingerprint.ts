import { createHash } from 'node:crypto';
import type { Actor } from '#contracts';

/** Keys live this long; a key older than this is gone, and the same key starts a new creation. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60_000;

/** Whose key it is: two callers may pick the same key without ever seeing each other's answer. */
export function idempotencyScope(actor: Actor): string {
  if (actor.type === 'user') return `user:${actor.userId}`;
  if (actor.type === 'support') return `support:${actor.keyId}`;
  return 'system';
}

/**
 * SHA-256 of the operation and the request's fields in a fixed order (never the password: it is not
 * stored, and a retry may carry it again). Strings are NFC-normalised, as they are stored.
 */
export function requestFingerprint(operation: string, fields: Array<string | null>): string {
  const canonical = JSON.stringify([operation, ...fields.map((f) => (f === null ? null : f.normalize('NFC')))]);
  return createHash('sha256').update(canonical).digest('hex');
}
