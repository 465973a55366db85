import { notificationFor } from './notification.mapper.js';
import { emailCodeMail } from './templates.js';

const USER = '6f1c2a4e-8a53-4c2e-9d1e-0b7f3a2c9d10';
const HOLDER = '0b7f3a2c-9d10-4c2e-9d1e-6f1c2a4e8a53';
const AT = '2026-12-04T20:13:05.120Z';

describe('security notifications', () => {
  it('says who reset MFA: the user, an account holder (named) or support, never the reason', () => {
    const holder = notificationFor('mfa.events.reset', { userId: USER, actor: { type: 'user', userId: HOLDER }, removed: true, at: AT })!;
    expect(holder.actorUserId).toBe(HOLDER);
    expect(holder.render('river.holder').text).toContain('by an account holder of your practice (river.holder) on 2026-12-04 20:13 UTC');
    const support = notificationFor('mfa.events.reset', { userId: USER, actor: { type: 'support', keyId: 'a1b2c3' }, removed: true, reason: 'secret ticket', at: AT })!;
    expect(support.render().text).toContain('by Twofold support');
    expect(support.render().text).not.toContain('secret ticket');
    expect(notificationFor('mfa.events.reset', { userId: USER, actor: { type: 'user', userId: USER }, removed: true, at: AT })!.render().text).toContain('reset by you');
  });

  it('mails nothing for an idempotent reset, a verification, a malformed or foreign event', () => {
    expect(notificationFor('mfa.events.reset', { userId: USER, actor: { type: 'support', keyId: 'k' }, removed: false, at: AT })).toBeUndefined();
    expect(notificationFor('mfa.events.verification.failed', { userId: USER, method: 'totp', at: AT })).toBeUndefined();
    expect(notificationFor('mfa.events.locked', { userId: 'not-a-uuid', at: AT })).toBeUndefined();
    expect(notificationFor('mfa.events.locked', null)).toBeUndefined();
    expect(notificationFor('accounts.events.user.mfa_reset', { userId: USER, at: AT })).toBeUndefined();
  });

  it('names the product in text and HTML, escapes what it embeds, and carries no code', () => {
    for (const [subject, data] of [
      ['mfa.events.enrolled', { userId: USER, method: 'email', ip: '<script>', at: AT }],
      ['mfa.events.removed', { userId: USER, at: AT }],
      ['mfa.events.locked', { userId: USER, lockedUntil: AT, at: AT }],
      ['mfa.events.recovery_codes.regenerated', { userId: USER, at: AT }],
    ] as const) {
      const mail = notificationFor(subject, data)!.render();
      expect(mail.subject).toContain('Twofold');
      expect(mail.text).toContain('Twofold');
      expect(mail.html).toContain('Twofold');
      expect(mail.html).not.toContain('<script>');
      expect(mail.text).not.toMatch(/^\s*\d{6}\s*$/m);
    }
  });

  it('puts the code in the body only, never in the subject', () => {
    const mail = emailCodeMail('042917', 'sign_in', 600);
    expect(mail.subject).toBe('Your Twofold code');
    expect(mail.text).toMatch(/^042917$/m);
    expect(mail.html).toContain('042917');
    expect(mail.text).toContain('within 10 minutes');
  });
});
