import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { IDEMPOTENCY_KEY_TTL_MS } from './request-fingerprint.js';

/** Keys expire 24 h after their first use; every replica deletes expired ones now and then. */
@Injectable()
export class IdempotencyKeySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeySweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly keys: IdempotencyKeyRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<number> {
    try {
      return await this.keys.deleteCreatedBefore(new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS));
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'expired idempotency keys not swept yet');
      return 0;
    }
  }
}
