import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DomainError } from '#common';
import { intEnv, isolatedPrefix } from '#testing';
import { loadAuthConfig } from '../auth.config.js';
import { AuthModule } from '../auth.module.js';
import { VerifyChallengeUseCase } from '../challenges/verify-challenge.use-case.js';
import { LoginUseCase } from '../login/login.use-case.js';

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as DomainError);

/**
 * Per-IP limits on sign-in, counted in PostgreSQL so they hold across replicas: two auth instances
 * ("replicas") share one budget. Limits are set low here; test stacks otherwise run with high ones.
 */
describe('per-IP rate limits on sign-in', () => {
  const env = intEnv({ NATS_SUBJECT_PREFIX: isolatedPrefix(), LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT_PER_MINUTE: '4', MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '3' });
  const replicas: TestingModule[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot(loadAuthConfig(env))] }).compile();
      await moduleRef.init();
      replicas.push(moduleRef);
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
  });

  /** The windows are fixed minutes: start a test well inside one so it cannot straddle two. */
  const insideOneWindow = async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
  };
  const uniqueIp = () => `2001:db8:${randomUUID().slice(0, 4)}::${randomUUID().slice(0, 4)}`;

  it('refuses the login past the limit for that IP across replicas, with a retry time, and not for other IPs', async () => {
    await insideOneWindow();
    const ip = uniqueIp();
    const login = (i: number) => replicas[i % 2]!.get(LoginUseCase).execute({ username: `nobody-${randomUUID()}`, password: 'wrong password', ip });
    for (let i = 0; i < 4; i++) await expect(rejection(login(i))).resolves.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const limited = await rejection(login(4));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited!.details!.retryAfterSeconds).toEqual(expect.any(Number));
    expect(limited!.details!.retryAfterSeconds as number).toBeGreaterThanOrEqual(1);
    expect(limited!.details!.retryAfterSeconds as number).toBeLessThanOrEqual(60);
    // Also when raced: the counter is one atomic upsert.
    const raced = await Promise.all(Array.from({ length: 6 }, (_, i) => rejection(login(i))));
    expect(raced.every((err) => err?.code === 'RATE_LIMITED')).toBe(true);

    const other = replicas[0]!.get(LoginUseCase).execute({ username: `nobody-${randomUUID()}`, password: 'x', ip: uniqueIp() });
    await expect(rejection(other)).resolves.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('limits second-factor attempts per IP, separately from logins', async () => {
    await insideOneWindow();
    const ip = uniqueIp();
    const verify = (i: number) =>
      replicas[i % 2]!.get(VerifyChallengeUseCase).execute({ challengeId: randomUUID(), method: 'totp', code: '123456', ip });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rejection(verify(i))));
    expect(results.filter((e) => e?.code === 'MFA_CHALLENGE_INVALID')).toHaveLength(3);
    expect(results.filter((e) => e?.code === 'RATE_LIMITED')).toHaveLength(7);
  });
});
