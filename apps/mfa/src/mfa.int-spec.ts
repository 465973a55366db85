import { connect } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { generateSync } from 'otplib';
import type { DataSource } from 'typeorm';
import { bootstrapService, DomainError, openDatabase } from '#common';
import { AccountsSubjects, MfaRequirementRequest, type MfaRequirementReply } from '#contracts';
import { databaseName, dropDatabase, ensureDatabase, intEnv, isolatedPrefix, uniqueSuffix, withDatabase } from '#testing';
import { mfaDatabase } from './database.js';
import { Clock } from './clock.js';
import { RegenerateRecoveryCodesUseCase, RemoveMfaUseCase, ResetMfaUseCase } from './factors/manage-factors.use-case.js';
import { rekeyDatabase, rekeyFactors } from './factors/rekey.js';
import { SecretBox } from './factors/secret-box.js';
import { loadMfaConfig } from './mfa.config.js';
import { RecoveryCodeRepository } from './recovery-codes/recovery-code.repository.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes/recovery-codes.js';
import { MfaModule } from './mfa.module.js';
import { MfaStatusUseCase } from './status/mfa-status.use-case.js';
import { TotpSetupUseCase } from './totp/totp-setup.use-case.js';
import { SecondFactorVerifier } from './verification/second-factor.verifier.js';

/** Stands in for the accounts service's policy answer (a real Nest service on the real NATS). */
const accountsRequiringMfa = new Set<string>();

@Controller()
class PolicyStandIn {
  @MessagePattern(AccountsSubjects.mfaRequirement.name)
  get(@Payload() request: MfaRequirementRequest): MfaRequirementReply {
    return { userId: request.userId, accountId: request.userId, required: accountsRequiringMfa.has(request.userId), enrolled: true, methods: ['totp'] };
  }
}

@Module({ controllers: [PolicyStandIn] })
class PolicyStandInModule {}

/** A clock the test moves by hand. */
class TestClock extends Clock {
  time = Date.UTC(2030, 0, 1, 12, 0, 10);
  override now(): Date {
    return new Date(this.time);
  }
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
  get step(): number {
    return Math.floor(this.time / 30_000);
  }
}

const codeAt = (secret: string, step: number) => generateSync({ secret, epoch: step * 30 });
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as DomainError);

/**
 * The mfa service's rules on the real PostgreSQL (and NATS for its events), with a clock the test
 * controls, so time-based rules are attacked at their edges without waiting.
 */
describe('mfa service rules', () => {
  const config = loadMfaConfig(intEnv({ NATS_SUBJECT_PREFIX: isolatedPrefix(), LOG_LEVEL: 'silent' }));
  const clock = new TestClock();
  let moduleRef: TestingModule;
  let setup: TotpSetupUseCase;
  let verifier: SecondFactorVerifier;
  let status: MfaStatusUseCase;
  let dataSource: DataSource;
  let accounts: INestMicroservice;

  beforeAll(async () => {
    accounts = await bootstrapService({ name: 'accounts', module: PolicyStandInModule, natsUrl: config.NATS_URL, subjectPrefix: config.NATS_SUBJECT_PREFIX, logLevel: 'silent' });
    moduleRef = await Test.createTestingModule({ imports: [MfaModule.forRoot(config)] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    await moduleRef.init();
    setup = moduleRef.get(TotpSetupUseCase);
    verifier = moduleRef.get(SecondFactorVerifier);
    status = moduleRef.get(MfaStatusUseCase);
    dataSource = moduleRef.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await moduleRef?.close();
    await accounts?.close();
  }, 15_000);

  /** A user with a confirmed authenticator; the confirming step is the clock's previous step. */
  async function enrolledUser(): Promise<{ userId: string; secret: string; recoveryCodes: string[] }> {
    const userId = randomUUID();
    const started = await setup.start(userId, `user-${userId.slice(0, 8)}`);
    const secret = started.manualKey.replace(/ /g, '');
    const { recoveryCodes } = await setup.confirm(userId, codeAt(secret, clock.step - 1));
    return { userId, secret, recoveryCodes };
  }

  it('stores the TOTP secret sealed: the database row holds no base32 secret and not the raw bytes', async () => {
    const userId = randomUUID();
    const started = await setup.start(userId, 'sealed');
    const secret = started.manualKey.replace(/ /g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const raw = base32Decode(secret);
    await setup.confirm(userId, codeAt(secret, clock.step));

    const rows: Array<Record<string, unknown>> = await dataSource.query(`SELECT * FROM mfa.factors WHERE user_id = $1`, [userId]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.secret_key_id).toBe(config.MFA_ENCRYPTION_KEYS[0]!.id);
    for (const [column, value] of Object.entries(row)) {
      const texts = Buffer.isBuffer(value) ? [value.toString('latin1'), value.toString('hex'), value.toString('base64'), value.toString('utf8')] : [String(value)];
      for (const text of texts) expect({ column, leaks: text.toUpperCase().includes(secret) }).toEqual({ column, leaks: false });
      if (Buffer.isBuffer(value)) expect({ column, holdsRaw: value.includes(raw) }).toEqual({ column, holdsRaw: false });
    }
    // And what is stored opens to exactly that secret with the configured key.
    const box = new SecretBox({ MFA_ENCRYPTION_KEYS: config.MFA_ENCRYPTION_KEYS });
    const opened = box.open({ keyId: row.secret_key_id as string, iv: row.secret_iv as Buffer, ciphertext: row.secret_ciphertext as Buffer, tag: row.secret_tag as Buffer }, row.id as string, userId);
    expect(opened.equals(raw)).toBe(true);
  });

  it('accepts a code from the previous time step and refuses one from two steps back', async () => {
    const { userId, secret } = await enrolledUser();
    clock.advance(300);
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step - 2)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step + 2)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(verifier.verify(userId, 'totp', codeAt(secret, clock.step - 1))).resolves.toMatchObject({ userId });
  });

  it('accepts a TOTP time step only once, even when raced, and never an earlier step after a later one', async () => {
    const { userId, secret } = await enrolledUser();
    clock.advance(300);
    const code = codeAt(secret, clock.step);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verify(userId, 'totp', code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'MFA_CODE_INVALID' });
    // The previous step is still inside the drift window, but older than the step just used.
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step - 1)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    // The step used to confirm the setup cannot sign in either.
    const fresh = await enrolledUser();
    await expect(rejection(verifier.verify(fresh.userId, 'totp', codeAt(fresh.secret, clock.step - 1)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(verifier.verify(fresh.userId, 'totp', codeAt(fresh.secret, clock.step))).resolves.toBeDefined();
  });

  it('locks the second factor after 10 wrong codes and refuses even the right code until the lock ends', async () => {
    const { userId, secret } = await enrolledUser();
    clock.advance(60);
    for (let i = 1; i <= 9; i++) {
      await expect(rejection(verifier.verify(userId, 'totp', '000000'))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    }
    const locked = await rejection(verifier.verify(userId, 'recovery_code', 'AAAA-AAAA-AAAA-AAAA'));
    expect(locked).toMatchObject({ code: 'MFA_LOCKED' });
    const lockedUntil = new Date(locked!.details!.lockedUntil as string);
    expect(lockedUntil.getTime()).toBe(clock.time + 15 * 60_000);

    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step)))).resolves.toMatchObject({ code: 'MFA_LOCKED' });
    clock.advance(15 * 60 - 1);
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step)))).resolves.toMatchObject({ code: 'MFA_LOCKED' });
    clock.advance(1);
    await expect(verifier.verify(userId, 'totp', codeAt(secret, clock.step))).resolves.toBeDefined();
    // A success starts the count over: nine more wrong codes do not lock.
    for (let i = 1; i <= 9; i++) await rejection(verifier.verify(userId, 'totp', '000000'));
    await expect(verifier.verify(userId, 'totp', codeAt(secret, clock.step + 1))).resolves.toBeDefined();
  });

  it('resets the count of wrong codes on a right recovery code, and not on a replayed TOTP step', async () => {
    const { userId, secret, recoveryCodes } = await enrolledUser();
    clock.advance(60);
    const wrong = async (n: number) => {
      for (let i = 0; i < n; i++) await expect(rejection(verifier.verify(userId, 'totp', '000000'))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    };
    await wrong(9);
    await expect(verifier.verify(userId, 'recovery_code', recoveryCodes[0]!)).resolves.toBeDefined();
    await wrong(9);
    await expect(verifier.verify(userId, 'totp', codeAt(secret, clock.step))).resolves.toBeDefined();
    await wrong(9);
    // The same step again is refused and is not a success: the count stays at 9, so one more wrong code locks.
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(secret, clock.step)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(rejection(verifier.verify(userId, 'totp', '000000'))).resolves.toMatchObject({ code: 'MFA_LOCKED' });
    clock.advance(15 * 60);
  });

  it('doubles the lock on each repeated lockout', async () => {
    const { userId } = await enrolledUser();
    const lockOnce = async () => {
      let last: DomainError | undefined;
      for (let i = 0; i < 10; i++) last = await rejection(verifier.verify(userId, 'totp', '999999'));
      expect(last).toMatchObject({ code: 'MFA_LOCKED' });
      return (new Date(last!.details!.lockedUntil as string).getTime() - clock.time) / 60_000;
    };
    expect(await lockOnce()).toBe(15);
    clock.advance(15 * 60);
    expect(await lockOnce()).toBe(30);
    clock.advance(30 * 60);
    expect(await lockOnce()).toBe(60);
    clock.advance(60 * 60);
  });

  it('takes each recovery code once, even when raced, and counts what is left', async () => {
    const { userId, recoveryCodes } = await enrolledUser();
    expect(recoveryCodes).toHaveLength(10);
    expect(await status.one(userId)).toEqual({ enrolled: true, methods: ['totp', 'recovery_code'], recoveryCodesRemaining: 10 });
    const typed = recoveryCodes[0]!.toLowerCase().replace(/-/g, '');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verifier.verify(userId, 'recovery_code', typed)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await status.one(userId)).recoveryCodesRemaining).toBe(9);
    await expect(verifier.verify(userId, 'recovery_code', recoveryCodes[1]!)).resolves.toBeDefined();
  });

  it('replaces a set of recovery codes all at once: concurrent replacements leave exactly one set of ten', async () => {
    const { userId } = await enrolledUser();
    const repository = moduleRef.get(RecoveryCodeRepository);
    const sets = Array.from({ length: 6 }, () => generateRecoveryCodes().map(hashRecoveryCode));
    await Promise.all(sets.map((set) => repository.replace(userId, set, clock.now())));
    const rows: Array<{ code_hash: string }> = await dataSource.query(`SELECT code_hash FROM mfa.recovery_codes WHERE user_id = $1`, [userId]);
    expect(rows).toHaveLength(10);
    const stored = rows.map((r) => r.code_hash).sort();
    expect(sets.some((set) => JSON.stringify([...set].sort()) === JSON.stringify(stored))).toBe(true);
  });

  it('lets an unconfirmed setup expire after 10 minutes, and never counts it as MFA', async () => {
    const userId = randomUUID();
    const started = await setup.start(userId, 'slow');
    expect(started.expiresIn).toBe(600);
    expect(await status.one(userId)).toEqual({ enrolled: false, methods: [], recoveryCodesRemaining: 0 });
    await expect(rejection(verifier.verify(userId, 'totp', codeAt(started.manualKey.replace(/ /g, ''), clock.step)))).resolves.toMatchObject({ code: 'MFA_NOT_ENABLED' });
    clock.advance(601);
    const secret = started.manualKey.replace(/ /g, '');
    await expect(rejection(setup.confirm(userId, codeAt(secret, clock.step)))).resolves.toMatchObject({ code: 'MFA_SETUP_NOT_STARTED' });
  });

  it('replaces an older pending setup with a newer one', async () => {
    const userId = randomUUID();
    const first = (await setup.start(userId, 'twice')).manualKey.replace(/ /g, '');
    const second = (await setup.start(userId, 'twice')).manualKey.replace(/ /g, '');
    expect(second).not.toBe(first);
    await expect(rejection(setup.confirm(userId, codeAt(first, clock.step)))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(setup.confirm(userId, codeAt(second, clock.step))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    await expect(rejection(setup.start(userId, 'twice'))).resolves.toMatchObject({ code: 'MFA_ALREADY_ENABLED' });
  });

  it('removes MFA only with a current code and only while the account does not require it; regenerates recovery codes only with a code', async () => {
    const { userId, secret, recoveryCodes } = await enrolledUser();
    const regenerate = moduleRef.get(RegenerateRecoveryCodesUseCase);
    const remove = moduleRef.get(RemoveMfaUseCase);
    await expect(rejection(regenerate.execute(userId, '000000'))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    const fresh = await regenerate.execute(userId, codeAt(secret, clock.step));
    expect(fresh.recoveryCodes).toHaveLength(10);
    await expect(rejection(verifier.verify(userId, 'recovery_code', recoveryCodes[0]!))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    await expect(rejection(remove.execute(userId, '000000'))).resolves.toMatchObject({ code: 'MFA_CODE_INVALID' });
    // Not while the account requires MFA, however right the code; and the refusal does not spend the step.
    accountsRequiringMfa.add(userId);
    await expect(rejection(remove.execute(userId, codeAt(secret, clock.step + 1)))).resolves.toMatchObject({ code: 'MFA_REQUIRED_BY_ACCOUNT' });
    expect((await status.one(userId)).enrolled).toBe(true);
    accountsRequiringMfa.delete(userId);
    await expect(remove.execute(userId, codeAt(secret, clock.step + 1))).resolves.toEqual({ removed: true });
    expect(await status.one(userId)).toEqual({ enrolled: false, methods: [], recoveryCodesRemaining: 0 });
  });

  it('resets every factor, recovery code and lock of a user, idempotently', async () => {
    const { userId } = await enrolledUser();
    for (let i = 0; i < 10; i++) await rejection(verifier.verify(userId, 'totp', '111111'));
    const reset = moduleRef.get(ResetMfaUseCase);
    await expect(reset.execute(userId, { type: 'support', keyId: 'k' })).resolves.toEqual({ removed: true });
    await expect(reset.execute(userId, { type: 'support', keyId: 'k' })).resolves.toEqual({ removed: false });
    const counts = await dataSource.query(
      `SELECT (SELECT count(*) FROM mfa.factors WHERE user_id = $1)::int AS f, (SELECT count(*) FROM mfa.recovery_codes WHERE user_id = $1)::int AS r,
              (SELECT count(*) FROM mfa.user_state WHERE user_id = $1)::int AS s`,
      [userId],
    );
    expect(counts[0]).toEqual({ f: 0, r: 0, s: 0 });
    // Set up again right away: no lock is left over.
    const again = await setup.start(userId, 'again');
    await setup.confirm(userId, codeAt(again.manualKey.replace(/ /g, ''), clock.step));
    expect((await status.many([userId, randomUUID()]))[userId]).toMatchObject({ enrolled: true });
  });

  it('publishes a fact for every change and every verification, never with a secret or a code', async () => {
    const nc = await connect({ servers: config.NATS_URL });
    const seen: Array<{ subject: string; data: Record<string, unknown> }> = [];
    const sub = nc.subscribe(`${config.NATS_SUBJECT_PREFIX}.mfa.events.>`, {
      callback: (_err, msg) => void seen.push({ subject: msg.subject.slice(config.NATS_SUBJECT_PREFIX.length + 1), data: msg.json<{ data: Record<string, unknown> }>().data }),
    });
    await nc.flush();
    try {
      const { userId, secret, recoveryCodes } = await enrolledUser();
      const good = codeAt(secret, clock.step);
      await verifier.verify(userId, 'totp', good);
      for (let i = 0; i < 10; i++) await rejection(verifier.verify(userId, 'totp', '000000'));
      await moduleRef.get(ResetMfaUseCase).execute(userId, { type: 'system' });
      const deadline = Date.now() + 3_000;
      while (!seen.some((e) => e.subject === 'mfa.events.reset') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));

      const mine = seen.filter((e) => e.data.userId === userId);
      const subjects = mine.map((e) => e.subject);
      expect(subjects).toEqual(expect.arrayContaining(['mfa.events.enrolled', 'mfa.events.verification.succeeded', 'mfa.events.verification.failed', 'mfa.events.locked', 'mfa.events.reset']));
      expect(mine.filter((e) => e.subject === 'mfa.events.verification.failed')).toHaveLength(10);
      expect(mine.find((e) => e.subject === 'mfa.events.locked')!.data).toMatchObject({ userId, lockedUntil: expect.any(String), at: expect.any(String) });
      const text = JSON.stringify(mine);
      for (const forbidden of [secret, good, '000000', ...recoveryCodes]) expect(text).not.toContain(forbidden);
    } finally {
      sub.unsubscribe();
      await nc.close();
    }
  });

  it('re-encrypts every secret under the current key with the rekey command', async () => {
    // Its own database: a rekey rewrites every row, which must not pull rows from under other test files.
    const name = `${databaseName(config.DATABASE_URL)}_rekey_${uniqueSuffix(4)}`;
    const url = withDatabase(config.DATABASE_URL, name);
    await ensureDatabase(config.DATABASE_URL, name);
    const k1 = config.MFA_ENCRYPTION_KEYS[0]!;
    const k2 = { id: 'k2', key: randomBytes(32) };
    const own = await openDatabase(mfaDatabase(url, 2));
    try {
      const secrets = new Map<string, Buffer>();
      for (let i = 0; i < 3; i++) {
        const id = randomUUID();
        const userId = randomUUID();
        const secret = randomBytes(20);
        secrets.set(id, secret);
        const sealed = new SecretBox({ MFA_ENCRYPTION_KEYS: [k1] }).seal(secret, id, userId);
        await own.query(
          `INSERT INTO mfa.factors (id, user_id, type, status, secret_key_id, secret_iv, secret_ciphertext, secret_tag, created_at)
           VALUES ($1, $2, 'totp', 'active', $3, $4, $5, $6, now())`,
          [id, userId, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
        );
      }
      await expect(rekeyDatabase(url, [k2, k1])).resolves.toEqual({ currentKeyId: 'k2', resealed: 3 });
      const rows: Array<Record<string, any>> = await own.query(`SELECT * FROM mfa.factors`);
      const onlyK2 = new SecretBox({ MFA_ENCRYPTION_KEYS: [k2] });
      for (const row of rows) {
        expect(row.secret_key_id).toBe('k2');
        const opened = onlyK2.open({ keyId: row.secret_key_id, iv: row.secret_iv, ciphertext: row.secret_ciphertext, tag: row.secret_tag }, row.id, row.user_id);
        expect(opened.equals(secrets.get(row.id)!)).toBe(true);
      }
      // Running it again has nothing left to do.
      await expect(rekeyFactors(own, [k2, k1])).resolves.toEqual({ currentKeyId: 'k2', resealed: 0 });
    } finally {
      await own.destroy();
      await dropDatabase(config.DATABASE_URL, name);
    }
  });
});

function base32Decode(value: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const char of value) {
    acc = (acc << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
