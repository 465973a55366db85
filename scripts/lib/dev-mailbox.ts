import { Mailbox, type CapturedMail } from '#testing';
import { bold, green, info } from './console.js';
import { statePath } from './paths.js';

/**
 * `npm start` without SMTP_URL: a real SMTP server on loopback (TWOFOLD_SMTP_PORT, default 1025) that
 * keeps every mail Twofold sends, in .twofold/mail/*.json and at http://127.0.0.1:<TWOFOLD_MAIL_PORT,
 * default 1080>/; each arrival is printed with its recipient, subject and code. A busy port falls back
 * to a free one.
 */
export async function startDevMailbox(env: NodeJS.ProcessEnv): Promise<Mailbox> {
  const onMail = (mail: CapturedMail) =>
    info(`mail to ${bold(mail.to.join(', '))}: ${mail.subject}${mail.code ? ` — code ${green(mail.code)}` : ''}`);
  const options = { dir: statePath('mail'), onMail };
  const smtpPort = Number(env.TWOFOLD_SMTP_PORT ?? 1025);
  const httpPort = Number(env.TWOFOLD_MAIL_PORT ?? 1080);
  try {
    return await Mailbox.start({ ...options, smtpPort, httpPort });
  } catch {
    return Mailbox.start(options);
  }
}
