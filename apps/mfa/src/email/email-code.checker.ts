import { Injectable } from '@nestjs/common';
import { EmailCodeHasher, type EmailCodeScope } from './email-code.js';
import { EmailCodeRepository } from './email-code.repository.js';

/** Wrong codes that retire one emailed code (a sign-in's challenge dies at the same count in auth). */
export const EMAIL_CODE_MAX_FAILURES = 5;

export type EmailCodeOutcome = 'ok' | 'wrong' | 'replayed' | 'expired';

/**
 * Checks and spends an emailed code: compared in constant time against the stored HMAC, then spent by
 * one atomic UPDATE that also re-checks it is unused, unexpired and still the current code of its scope.
 */
@Injectable()
export class EmailCodeChecker {
  constructor(
    private readonly codes: EmailCodeRepository,
    private readonly hasher: EmailCodeHasher,
  ) {}

  async check(scope: EmailCodeScope, userId: string, code: string, now: Date): Promise<EmailCodeOutcome> {
    const stored = await this.codes.find(scope, userId);
    if (!stored || !this.hasher.matches(stored, scope, userId, code)) {
      if (stored) await this.codes.recordFailure(scope);
      return 'wrong';
    }
    if (stored.usedAt) return 'replayed';
    if (stored.failedAttempts >= EMAIL_CODE_MAX_FAILURES) return 'wrong';
    if (stored.expiresAt <= now) return 'expired';
    return (await this.codes.consume(scope, stored.hash, now, EMAIL_CODE_MAX_FAILURES)) ? 'ok' : 'replayed';
  }
}
