import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { bootstrapService, type DomainError } from '#common';
import { AccountsSubjects, GetPolicyRequest, GetUserRequest, type SecurityPolicyView, type UserView } from '#contracts';
import { intEnv, isolatedPrefix, Mailbox, type CapturedMail } from '#testing';
import { Clock } from '../clock.js';
import { loadMfaConfig } from '../mfa.config.js';
import { MfaModule } from '../mfa.module.js';
import { SecondFactorVerifier } from '../verification/second-factor.verifier.js';
import { EmailSetupUseCase, SendEmailCodeUseCase } from './email-codes.use-case.js';

/** Accounts that turned email codes off (by account id = user id here). */
const emailOff = new Set<string>();
const emailOf = (userId: string) => `u-${userId.slice(0, 8)}@example.test`;

/** Stands in for accounts: the address on file and the policy, on the real NATS. */
@Controller()
class AccountsStandIn {
  @MessagePattern(AccountsSubjects.getUser.name)
  user(@Payload() request: GetUserRequest): UserView {
    return { id: request.userId, username: `u-${request.userId.slice(0, 8)}`, email: emailOf(request.userId), role: 'user', accountId: request.userId };
  }

  @MessagePattern(AccountsSubjects.getPolicy.name)
  policy(@Payload() request: GetPolicyRequest): SecurityPolicyView {
    return { accountId: request.accountId, mfaRequired: false, allowEmailCodes: !emailOff.has(request.accountId), ipSafelist: [], version: 1, updatedAt: new Date().toISOString() };
  }
}

@Module({ controllers: [AccountsStandIn] })
class AccountsStandInModule {}

class TestClock extends Clock {
  time = Date.UTC(2030, 0, 1, 12, 0, 0);
  override now(): Date {
    return new Date(this.time);
  }
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as DomainError);

/**
 * Email codes on the real PostgreSQL, NATS and a real SMTP server on loopback, with a clock the test
 * moves: expiry at its edge, the resend throttle and the cap per sign-in, single use under a race, what
 * is stored, and a mail server that is down.
 */
describe('email codes', () => {
  const clock = new TestClock();
  let mailbox: Mailbox;
  let moduleRef: TestingModule;
  let accounts: INestMicroservice;
  let setup: EmailSetupUseCase;
  let send: SendEmailCodeUseCase;
  let verifier: SecondFactorVerifier;
  let dataSource: DataSource;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    const config = loadMfaConfig(intEnv({ NATS_SUBJECT_PREFIX: isolatedPrefix(), LOG_LEVEL: 'silent', SMTP_URL: mailbox.smtpUrl, MAIL_RETRY_MAX_SECONDS: '1' }));
    accounts = await bootstrapService({ name: 'accounts', module: AccountsStandInModule, natsUrl: config.NATS_URL, subjectPrefix: config.NATS_SUBJECT_PREFIX, logLevel: 'silent' });
    moduleRef = await Test.createTestingModule({ imports: [MfaModule.forRoot(config)] }).overrideProvider(Clock).useValue(clock).compile();
    await moduleRef.init();
    setup = moduleRef.get(EmailSetupUseCase);
    send = moduleRef.get(SendEmailCodeUseCase);
    verifier = moduleRef.get(SecondFactorVerifier);
    dataSource = moduleRef.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await moduleRef?.close();
    await accounts?.close();
    await mailbox?.stop();
  }, 15_000);

  async function nextMail(to: string, kind: string, after = 0, timeoutMs = 10_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = mailbox.to(to).find((m) => m.kind === kind && m.id > after);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${kind} mail to ${to}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const lastId = () => mailbox.messages.at(-1)?.id ?? 0;

  /** A user who chose email codes. */
  async function emailUser(): Promise<string> {
    const userId = randomUUID();
    const after = lastId();
    await setup.start(userId);
    await setup.confirm(userId, (await nextMail(emailOf(userId), 'code.setup', after)).code!);
    return userId;
  }

  async function signInCode(userId: string, challengeId: string): Promise<string> {
    const after = lastId();
    await send.execute(userId, challengeId);
    return (await nextMail(emailOf(userId), 'code.sign_in', after)).code!;
  }

  it('accepts an emailed code until its 10 minutes are up, then answers MFA_CODE_EXPIRED without counting a failure', async () => {
    const userId = await emailUser();
    const early = randomUUID();
    const code = await signInCode(userId, early);
    clock.advance(599);
    await expect(verifier.verify(userId, 'email', code, early)).resolves.toMatchObject({ type: 'email' });

    const late = randomUUID();
    const lateCode = await signInCode(userId, late);
    clock.advance(600);
    await expect(rejection(verifier.verify(userId, 'email', lateCode, late))).resolves.toMatchObject({ code: 'MFA_CODE_EXPIRED' });
    const state: Array<{ consecutive_failures: number }> = await dataSource.query(`SELECT consecutive_failures FROM mfa.user_state WHERE user_id = $1`, [userId]);
    expect(state[0]?.consecutive_failures ?? 0).toBe(0);
  });

  it('sends at most one code a minute and five per sign-in; only the latest code works', async () => {
    const userId = await emailUser();
    const challengeId = randomUUID();
    const codes = [await signInCode(userId, challengeId)];
    await expect(rejection(send.execute(userId, challengeId))).resolves.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    clock.advance(59);
    await expect(rejection(send.execute(userId, challengeId))).resolves.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    for (let i = 2; i <= 5; i++) {
      clock.advance(60);
      codes.push(await signInCode(userId, challengeId));
    }
    clock.advance(60);
    const exhausted = await rejection(send.execute(userId, challengeId));
    expect(exhausted).toMatchObject({ code: 'RATE_LIMITED' });
    expect(exhausted!.message).toContain('No more codes');
    // Another sign-in has its own budget.
    await expect(send.execute(userId, randomUUID())).resolves.toMatchObject({ sendsRemaining: 4 });

    const older = codes.slice(0, -1).find((c) => c !== codes.at(-1));
    if (older) await expect(rejection(verifier.verify(userId, 'email', older, challengeId))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(verifier.verify(userId, 'email', codes.at(-1)!, challengeId)).resolves.toBeDefined();
  });

  it('takes a code once, even when raced', async () => {
    const userId = await emailUser();
    const challengeId = randomUUID();
    const code = await signInCode(userId, challengeId);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verify(userId, 'email', code, challengeId)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'MFA_CODE_INVALID' });
  });

  it('stores only a keyed hash of the code, bound to its sign-in', async () => {
    const userId = await emailUser();
    const challengeId = randomUUID();
    const code = await signInCode(userId, challengeId);
    const rows: Array<Record<string, unknown>> = await dataSource.query(`SELECT * FROM mfa.email_codes WHERE scope = $1`, [`challenge:${challengeId}`]);
    expect(rows).toHaveLength(1);
    const stored = rows[0]!.code_hash as Buffer;
    expect(stored).toHaveLength(32);
    for (const plain of [code, `challenge:${challengeId}\n${userId}\n${code}`]) expect(stored.equals(createHash('sha256').update(plain).digest())).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(code);
    // The same code on another sign-in of the same user is wrong.
    await expect(rejection(verifier.verify(userId, 'email', code, randomUUID()))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
  });

  it('answers at once while the mail server is down, and the code arrives when it is back', async () => {
    const userId = await emailUser();
    await mailbox.stopSmtp();
    try {
      const challengeId = randomUUID();
      const after = lastId();
      const started = Date.now();
      await expect(send.execute(userId, challengeId)).resolves.toMatchObject({ expiresIn: 600 });
      expect(Date.now() - started).toBeLessThan(500);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(mailbox.to(emailOf(userId)).some((m) => m.id > after)).toBe(false);
      await mailbox.startSmtp();
      const code = (await nextMail(emailOf(userId), 'code.sign_in', after)).code!;
      await expect(verifier.verify(userId, 'email', code, challengeId)).resolves.toBeDefined();
    } finally {
      await mailbox.startSmtp();
    }
  });

  it('refuses email codes, sending and checking, once the account turns them off', async () => {
    const userId = await emailUser();
    const challengeId = randomUUID();
    const code = await signInCode(userId, challengeId);
    emailOff.add(userId);
    await expect(rejection(send.execute(userId, randomUUID()))).resolves.toMatchObject({ code: 'MFA_METHOD_NOT_ALLOWED' });
    await expect(rejection(verifier.verify(userId, 'email', code, challengeId))).resolves.toMatchObject({ code: 'MFA_METHOD_NOT_ALLOWED' });
    await expect(rejection(setup.start(randomUUID()))).resolves.toBeUndefined(); // another account: still allowed
    emailOff.delete(userId);
    await expect(verifier.verify(userId, 'email', code, challengeId)).resolves.toBeDefined();
  });
});
