import type { PrefixedClientNats, RpcClient } from '#common';
import type { SecurityPolicyView } from '#contracts';
import type { GatewayConfig } from '../gateway.config.js';
import { MAX_POLICY_CACHE_WEIGHT, POLICY_TTL_MS, PolicyCache } from './policy-cache.js';

const ACCOUNT = '0c9f3a7e-1d2b-4e5f-8a9b-7c6d5e4f3a2b';

function policy(version: number, ipSafelist: string[]): SecurityPolicyView {
  return { accountId: ACCOUNT, mfaRequired: false, allowEmailCodes: true, ipSafelist, version, updatedAt: new Date().toISOString() };
}

/** The cache's own rules (one fetch per miss, TTL, version order, stale-if-error); NATS wiring is covered end to end. */
describe('gateway policy cache', () => {
  let answers: Array<SecurityPolicyView | Error>;
  let calls: number;
  let cache: PolicyCache;
  let now: number;

  beforeEach(() => {
    answers = [];
    calls = 0;
    now = 1_000_000;
    const rpc = {
      request: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        const next = answers.shift();
        if (!next) throw new Error('no answer');
        if (next instanceof Error) throw next;
        return next;
      },
    } as unknown as RpcClient;
    cache = new PolicyCache(rpc, {} as PrefixedClientNats, { NATS_SUBJECT_PREFIX: 't' } as GatewayConfig);
    cache.now = () => now;
  });

  it('asks accounts once for many concurrent requests of one account, then serves from memory', async () => {
    answers.push(policy(1, ['10.0.0.0/8']));
    const matchers = await Promise.all(Array.from({ length: 20 }, () => cache.safelistOf(ACCOUNT)));
    expect(calls).toBe(1);
    expect(matchers.every((m) => m.allows('10.1.2.3') && !m.allows('192.0.2.1'))).toBe(true);
    await cache.safelistOf(ACCOUNT);
    expect(calls).toBe(1);
  });

  it(`asks again after ${POLICY_TTL_MS / 1000} s, in case a change event was missed`, async () => {
    answers.push(policy(1, []), policy(2, ['10.0.0.0/8']));
    expect((await cache.safelistOf(ACCOUNT)).allows('192.0.2.1')).toBe(true);
    now += POLICY_TTL_MS + 1;
    expect((await cache.safelistOf(ACCOUNT)).allows('192.0.2.1')).toBe(false);
    expect(calls).toBe(2);
  });

  it('never lets an older policy replace a newer one (a slow fetch cannot undo an event)', async () => {
    answers.push(policy(5, ['10.0.0.0/8']));
    await cache.safelistOf(ACCOUNT);
    (cache as unknown as { apply(p: SecurityPolicyView): void }).apply(policy(4, []));
    expect((await cache.safelistOf(ACCOUNT)).allows('192.0.2.1')).toBe(false);
    (cache as unknown as { apply(p: SecurityPolicyView): void }).apply(policy(6, []));
    expect((await cache.safelistOf(ACCOUNT)).allows('192.0.2.1')).toBe(true);
  });

  it('is bounded by weight (1 + safelist ranges per account), dropping the least recently filled first', () => {
    const apply = (p: SecurityPolicyView) => (cache as unknown as { apply(p: SecurityPolicyView): void }).apply(p);
    const ranges = Array.from({ length: 99 }, (_, i) => `10.0.${i}.0/24`);
    const count = MAX_POLICY_CACHE_WEIGHT / 100 + 10;
    const ids = Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const accountId of ids) apply({ ...policy(1, ranges), accountId });
    expect(cache.size.weight).toBeLessThanOrEqual(MAX_POLICY_CACHE_WEIGHT);
    expect(cache.size.entries).toBe(MAX_POLICY_CACHE_WEIGHT / 100);
    // The oldest went, the newest stayed; a replaced entry's weight is not counted twice.
    const held = (id: string) => (cache as unknown as { entries: Map<string, unknown> }).entries.has(id);
    expect(held(ids[0])).toBe(false);
    expect(held(ids[count - 1])).toBe(true);
    apply({ ...policy(2, []), accountId: ids[count - 1] });
    expect(cache.size.weight).toBe(MAX_POLICY_CACHE_WEIGHT - 99);
    cache.clear();
    expect(cache.size).toEqual({ entries: 0, weight: 0 });
  });

  it('keeps using an expired copy while accounts cannot answer, and fails closed without one', async () => {
    answers.push(new Error('down'));
    await expect(cache.safelistOf(ACCOUNT)).rejects.toThrow('down');
    answers.push(policy(1, ['10.0.0.0/8']));
    await cache.safelistOf(ACCOUNT);
    now += POLICY_TTL_MS + 1;
    answers.push(new Error('down'));
    expect((await cache.safelistOf(ACCOUNT)).allows('192.0.2.1')).toBe(false);
  });
});
