import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from '../clock.js';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { Mailer, retryDelaySeconds } from '../notifications/mailer.js';
import type { RenderedMail } from '../notifications/templates.js';

/**
 * Sends an emailed code in the background, so "send me a code" answers at once whatever the mail
 * server does; retries (1 s, 2 s, 4 s …) while the code is still valid. A newer code for the same
 * scope cancels the delivery of the older one. The code lives only in this process's memory until it
 * is handed to the mail server: if the replica dies meanwhile, the user asks for another (the stored
 * hash cannot be mailed, by design).
 */
@Injectable()
export class EmailCodeDelivery implements OnApplicationShutdown {
  private readonly logger = new Logger(EmailCodeDelivery.name);
  private readonly pending = new Map<string, AbortController>();

  constructor(
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(MFA_CONFIG) private readonly config: Pick<MfaConfig, 'MAIL_RETRY_MAX_SECONDS'>,
  ) {}

  deliver(scope: string, to: string, mail: RenderedMail, expiresAt: Date): void {
    this.pending.get(scope)?.abort();
    const controller = new AbortController();
    this.pending.set(scope, controller);
    void this.run(scope, to, mail, expiresAt, controller.signal).finally(() => {
      if (this.pending.get(scope) === controller) this.pending.delete(scope);
    });
  }

  private async run(scope: string, to: string, mail: RenderedMail, expiresAt: Date, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.mailer.send(to, mail);
        return;
      } catch (err) {
        const wait = retryDelaySeconds(attempt, this.config.MAIL_RETRY_MAX_SECONDS) * 1000;
        if (this.clock.now().getTime() + wait >= expiresAt.getTime()) {
          this.logger.error({ kind: mail.kind, attempt, err: errorText(err) }, 'email code not delivered before it expired');
          return;
        }
        this.logger.warn({ kind: mail.kind, attempt, retryInMs: wait, err: errorText(err) }, 'email code not delivered yet; retrying');
        await sleep(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  onApplicationShutdown(): void {
    for (const controller of this.pending.values()) controller.abort();
    this.pending.clear();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
