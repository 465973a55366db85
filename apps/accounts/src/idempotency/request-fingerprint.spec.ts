import { idempotencyScope, requestFingerprint } from './request-fingerprint.js';

describe('request fingerprint', () => {
  it('is the same for the same request, whatever the Unicode normal form of its strings', () => {
    const composed = requestFingerprint('accounts.users.create', ['acc', 'Zo\u00EB', 'z@example.com', 'user']);
    const decomposed = requestFingerprint('accounts.users.create', ['acc', 'Zoe\u0308', 'z@example.com', 'user']);
    expect(composed).toBe(decomposed);
    expect(composed).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when any field or the operation differs, and fields cannot run into each other', () => {
    const base = requestFingerprint('accounts.users.create', ['acc', 'zoe', 'z@example.com', 'user']);
    expect(requestFingerprint('accounts.users.create', ['acc', 'zoe', 'z@example.com', 'holder'])).not.toBe(base);
    expect(requestFingerprint('accounts.accounts.create', ['acc', 'zoe', 'z@example.com', 'user'])).not.toBe(base);
    expect(requestFingerprint('op', ['ab', 'c'])).not.toBe(requestFingerprint('op', ['a', 'bc']));
  });
});

describe('idempotency scope', () => {
  it('separates holders, support keys and the system', () => {
    const scopes = [
      idempotencyScope({ type: 'user', userId: '00000000-0000-4000-8000-000000000001' }),
      idempotencyScope({ type: 'user', userId: '00000000-0000-4000-8000-000000000002' }),
      idempotencyScope({ type: 'support', keyId: '00000000-0000-4000-8000-000000000001' }),
      idempotencyScope({ type: 'system' }),
    ];
    expect(new Set(scopes).size).toBe(scopes.length);
  });
});
