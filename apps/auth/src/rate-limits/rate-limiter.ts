import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '#common';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { RateLimitRepository } from './rate-limit.repository.js';

export type RateLimitedAction = 'login' | 'mfa_verify';

const WINDOW_SECONDS = 60;

/** Per-IP limits on sign-in attempts (password and second factor), from the configuration. */
@Injectable()
export class RateLimiter {
  private readonly limits: Record<RateLimitedAction, number>;

  constructor(
    private readonly counters: RateLimitRepository,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.limits = { login: config.LOGIN_RATE_LIMIT_PER_MINUTE, mfa_verify: config.MFA_VERIFY_RATE_LIMIT_PER_MINUTE };
  }

  /** Counts one attempt from `ip`; throws RATE_LIMITED past the limit. A limit of 0 turns it off. */
  async consume(action: RateLimitedAction, ip: string | undefined): Promise<void> {
    const limit = this.limits[action];
    if (limit <= 0) return;
    const { count, resetInSeconds } = await this.counters.hit(action, ip ?? 'unknown', WINDOW_SECONDS);
    if (count > limit) {
      throw new DomainError('RATE_LIMITED', 'Too many attempts from this address. Wait a moment and try again.', { retryAfterSeconds: resetInSeconds });
    }
  }
}
