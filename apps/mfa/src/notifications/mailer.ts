import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import type { RenderedMail } from './templates.js';

/**
 * Mail out through SMTP_URL (nodemailer). Every attempt is bounded (connection, greeting and socket
 * timeouts), so a dead or slow mail server costs a caller seconds, never a hang; callers that must not
 * wait (sign-in) never await it at all. Retrying is the caller's business (the notifier's JetStream
 * redelivery, the code delivery's own loop).
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger(Mailer.name);
  private readonly transport?: Transporter;

  constructor(@Inject(MFA_CONFIG) private readonly config: Pick<MfaConfig, 'SMTP_URL' | 'MAIL_FROM'>) {
    if (config.SMTP_URL) {
      const url = new URL(config.SMTP_URL);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      this.transport = nodemailer.createTransport({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
        secure: url.protocol === 'smtps:',
        auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
        // Loopback development and test servers have no certificate worth checking; anywhere else it is checked.
        tls: { rejectUnauthorized: !loopback },
      });
    }
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  async send(to: string, mail: RenderedMail): Promise<void> {
    if (!this.transport) throw new Error('SMTP_URL is not set: no mail can be sent');
    const info = (await this.transport.sendMail({ from: this.config.MAIL_FROM, to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers })) as { messageId?: string };
    this.logger.debug({ messageId: info.messageId, kind: mail.kind }, 'mail sent');
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

/** 1 s, 2 s, 4 s … up to `maxSeconds`: the wait before delivery attempt `attempt + 1`. */
export function retryDelaySeconds(attempt: number, maxSeconds: number): number {
  return Math.min(maxSeconds, 2 ** Math.max(0, Math.min(attempt - 1, 20)));
}
