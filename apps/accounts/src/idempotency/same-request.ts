import { DomainError } from '#common';
import type { IdempotencyKeyEntity } from './idempotency-key.entity.js';

/** A key answers only the request it was first used for; anything else is the caller's mistake. */
export function assertSameRequest(existing: IdempotencyKeyEntity, operation: string, fingerprint: string): void {
  if (existing.operation !== operation || existing.fingerprint !== fingerprint) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request. Retry with the same request, or use a new key for a new one.',
    );
  }
}
