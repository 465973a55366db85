import type { MfaRequirementReply } from '#contracts';
import { MFA_REQUIREMENT_TTL_MS, MfaRequirementCache } from './mfa-requirement.cache.js';

const reply = (userId: string, accountId: string, enrolled: boolean): MfaRequirementReply => ({
  userId,
  accountId,
  required: false,
  enrolled,
  methods: enrolled ? ['totp'] : [],
});

/** A load the test finishes by hand. */
function deferred(value: MfaRequirementReply): { load: () => Promise<MfaRequirementReply>; finish: () => void; calls: () => number } {
  let calls = 0;
  let finish!: () => void;
  const promise = new Promise<MfaRequirementReply>((resolve) => (finish = () => resolve(value)));
  return { load: () => (calls++, promise), finish: () => finish(), calls: () => calls };
}

describe('MfaRequirementCache', () => {
  let cache: MfaRequirementCache;
  let time: number;

  beforeEach(() => {
    cache = new MfaRequirementCache(undefined as never);
    time = 1_000_000;
    cache.now = () => time;
  });

  it('answers from the cache until the TTL, then loads again', async () => {
    let loads = 0;
    const load = async () => (loads++, reply('u1', 'a1', false));
    await cache.get('u1', load);
    await cache.get('u1', load);
    expect(loads).toBe(1);
    time += MFA_REQUIREMENT_TTL_MS - 1;
    await cache.get('u1', load);
    expect(loads).toBe(1);
    time += 1;
    await cache.get('u1', load);
    expect(loads).toBe(2);
  });

  it('drops expired answers as new ones are kept, so it holds the last few seconds of users, not all of them', async () => {
    for (let i = 0; i < 100; i++) await cache.get(`old${i}`, async () => reply(`old${i}`, 'a1', false));
    expect(cache.size).toBe(100);
    time += MFA_REQUIREMENT_TTL_MS;
    await cache.get('new', async () => reply('new', 'a1', false));
    expect(cache.size).toBe(1);
    let loads = 0;
    await cache.get('new', async () => (loads++, reply('new', 'a1', false)));
    expect(loads).toBe(0);
  });

  it('loads once for many concurrent askers', async () => {
    const d = deferred(reply('u1', 'a1', false));
    const answers = [cache.get('u1', d.load), cache.get('u1', d.load), cache.get('u1', d.load)];
    d.finish();
    await Promise.all(answers);
    expect(d.calls()).toBe(1);
  });

  it('forgets a user on a fact about them, and an account’s users on a policy change', async () => {
    await cache.get('u1', async () => reply('u1', 'a1', false));
    await cache.get('u2', async () => reply('u2', 'a1', false));
    await cache.get('u3', async () => reply('u3', 'a2', false));
    cache.forgetUser('u1');
    expect(await cache.get('u1', async () => reply('u1', 'a1', true))).toMatchObject({ enrolled: true });
    cache.forgetAccount('a1');
    expect(await cache.get('u2', async () => reply('u2', 'a1', true))).toMatchObject({ enrolled: true });
    expect(await cache.get('u3', async () => reply('u3', 'a2', true))).toMatchObject({ enrolled: false });
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('never keeps an answer that was being loaded when a fact arrived, and later askers load afresh', async () => {
    const before = deferred(reply('u1', 'a1', false));
    const first = cache.get('u1', before.load);
    cache.forgetUser('u1'); // e.g. mfa.events.enrolled while the old answer was being read
    const after = deferred(reply('u1', 'a1', true));
    const second = cache.get('u1', after.load);
    expect(after.calls()).toBe(1);
    before.finish();
    after.finish();
    expect(await first).toMatchObject({ enrolled: false });
    expect(await second).toMatchObject({ enrolled: true });
    expect(await cache.get('u1', async () => reply('u1', 'a1', false))).toMatchObject({ enrolled: true });
  });

  it('drops loads in flight on a policy change too (their account is not known until they finish)', async () => {
    const before = deferred(reply('u1', 'a1', false));
    const first = cache.get('u1', before.load);
    cache.forgetAccount('a9');
    before.finish();
    await first;
    expect(cache.size).toBe(0);
  });

  it('keeps no error', async () => {
    await expect(cache.get('u1', async () => Promise.reject(new Error('USER_NOT_FOUND')))).rejects.toThrow();
    expect(await cache.get('u1', async () => reply('u1', 'a1', false))).toMatchObject({ userId: 'u1' });
  });
});
