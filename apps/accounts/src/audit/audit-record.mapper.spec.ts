import { toAuditRecord } from './audit-record.mapper.js';

const USER = '6f1c2a4e-8a53-4c2e-9d1e-0b7f3a2c9d10';
const ACCOUNT = '0c9f3a7e-1d2b-4e5f-8a9b-7c6d5e4f3a2b';
const PUBLISHED = new Date('2026-12-04T10:00:00Z');

describe('audit record mapping', () => {
  it('records a successful sign-in with the user as actor and target, the IP and the event time', () => {
    const record = toAuditRecord(
      'auth.events.login.succeeded',
      { userId: USER, accountId: ACCOUNT, sessionId: 's1', amr: ['pwd', 'otp', 'mfa'], ip: '203.0.113.9', at: '2026-12-04T09:59:58.000Z' },
      PUBLISHED,
    );
    expect(record).toEqual({
      type: 'login.succeeded',
      accountId: ACCOUNT,
      actorType: 'user',
      actorId: USER,
      targetUserId: USER,
      ip: '203.0.113.9',
      occurredAt: new Date('2026-12-04T09:59:58.000Z'),
      details: { sessionId: 's1', amr: ['pwd', 'otp', 'mfa'] },
    });
  });

  it('records a failed sign-in of an unknown username with no user and no account (stored, never shown to a holder)', () => {
    const record = toAuditRecord('auth.events.login.failed', { reason: 'invalid_credentials', ip: '198.51.100.4', at: 'garbage' }, PUBLISHED);
    expect(record).toMatchObject({ type: 'login.failed', accountId: null, actorType: null, targetUserId: null, occurredAt: PUBLISHED });
    expect(record?.details).toEqual({ reason: 'invalid_credentials' });
  });

  it('keeps the actor an event names (a support key) instead of the user', () => {
    const record = toAuditRecord('mfa.events.removed', { userId: USER, actor: { type: 'support', keyId: 'abc123' }, at: PUBLISHED.toISOString() }, PUBLISHED);
    expect(record).toMatchObject({ type: 'mfa.removed', actorType: 'support', actorId: 'abc123', targetUserId: USER, accountId: null });
  });

  it('never copies secrets into details, whatever a publisher puts in an event', () => {
    const record = toAuditRecord(
      'mfa.events.verification.failed',
      { userId: USER, method: 'totp', reason: 'wrong_code', code: '123456', secret: 'JBSWY3DP', recoveryCodes: ['x'], accessToken: 't', at: PUBLISHED.toISOString() },
      PUBLISHED,
    );
    expect(record?.details).toEqual({ method: 'totp', reason: 'wrong_code' });
  });

  it.each(['accounts.events.policy.changed', 'accounts.events.user.mfa_reset', 'mfa.events.reset', 'auth.events.something.new'])(
    'skips %s (written by accounts itself, or not a security event)',
    (subject) => {
      expect(toAuditRecord(subject, { userId: USER, at: PUBLISHED.toISOString() }, PUBLISHED)).toBeNull();
    },
  );

  it('turns malformed payloads into skipped or partial records, never into errors', () => {
    expect(toAuditRecord('auth.events.login.succeeded', null, PUBLISHED)).toBeNull();
    expect(toAuditRecord('auth.events.login.succeeded', [1, 2], PUBLISHED)).toBeNull();
    const record = toAuditRecord('auth.events.login.failed', { userId: 'not-a-uuid', accountId: 42, ip: { x: 1 } }, PUBLISHED);
    expect(record).toMatchObject({ targetUserId: null, accountId: null, ip: null, actorType: null });
  });
});
