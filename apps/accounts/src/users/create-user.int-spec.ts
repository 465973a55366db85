import type { INestMicroservice } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { bootstrapService, natsServers, PrefixedClientNats, RpcClient, DomainError } from '#common';
import { AccountsSubjects } from '#contracts';
import { intEnv, intRun, isolatedPrefix } from '#testing';
import { loadAccountsConfig } from '../accounts.config.js';
import { AccountsModule } from '../accounts.module.js';
import { loadAuthConfig } from '../../../auth/src/auth.config.js';
import { AuthModule } from '../../../auth/src/auth.module.js';

/**
 * Creating a user spans accounts (membership) and auth (credential). These run the real services
 * in-process on the real NATS and PostgreSQL, under a prefix of their own.
 */
describe('creating a user across services', () => {
  const prefix = isolatedPrefix();
  const env = intEnv({ NATS_SUBJECT_PREFIX: prefix, RPC_TIMEOUT_MS: '1500', LOG_LEVEL: 'silent' });
  let accounts: INestMicroservice;
  let auth: INestMicroservice | undefined;
  let rpc: RpcClient;
  let db: pg.Client;

  beforeAll(async () => {
    const accountsConfig = loadAccountsConfig(env);
    accounts = await bootstrapService({ name: 'accounts', module: AccountsModule.forRoot(accountsConfig), natsUrl: accountsConfig.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
    rpc = new RpcClient(new PrefixedClientNats(prefix, { servers: natsServers(intRun().natsUrl) }), 3_000);
    await rpc.connect();
    db = new pg.Client({ connectionString: intRun().databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await rpc?.close();
    await auth?.close();
    await accounts?.close();
    await db?.end();
  });

  const newAccount = () => rpc.request(AccountsSubjects.createAccount, { name: `Practice ${randomUUID()}`, actor: { type: 'system' } });

  it('leaves nothing behind and does not reserve the username when auth cannot store the credential', async () => {
    const account = await newAccount();
    const username = `orphan-${randomUUID()}`;
    const attempt = rpc.request(AccountsSubjects.createUser, {
      accountId: account.id,
      username,
      password: 'long enough password',
      email: 'orphan@example.com',
      role: 'user',
      actor: { type: 'system' },
    });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    const { rows } = await db.query('SELECT * FROM accounts.users WHERE username = $1', [username]);
    expect(rows).toEqual([]);
  });

  it('creates the user once auth answers, and refuses the same NFC username twice', async () => {
    const authConfig = loadAuthConfig(env);
    auth = await bootstrapService({ name: 'auth', module: AuthModule.forRoot(authConfig), natsUrl: authConfig.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
    const account = await newAccount();
    const suffix = randomUUID().slice(0, 8);
    const user = await rpc.request(AccountsSubjects.createUser, {
      accountId: account.id,
      username: `Zoe\u0308-${suffix}`,
      password: 'long enough password',
      email: 'zoe@example.com',
      role: 'holder',
      actor: { type: 'system' },
    });
    expect(user.username).toBe(`Zo\u00EB-${suffix}`);
    const { rows } = await db.query('SELECT status FROM accounts.users WHERE id = $1', [user.id]);
    expect(rows).toEqual([{ status: 'active' }]);
    const credential = await db.query('SELECT username, password_hash FROM auth.credentials WHERE user_id = $1', [user.id]);
    expect(credential.rows[0].username).toBe(user.username);
    expect(credential.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const again = rpc.request(AccountsSubjects.createUser, {
      accountId: account.id,
      username: `Zo\u00EB-${suffix}`,
      password: 'another long password',
      email: 'other@example.com',
      role: 'user',
      actor: { type: 'system' },
    });
    await expect(again).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
  });

  it('refuses a NATS payload with unknown or malformed fields, naming them', async () => {
    const attempt = rpc.request(AccountsSubjects.createUser, {
      accountId: 'not-a-uuid',
      username: 'x',
      password: 'short',
      email: 'nope',
      role: 'admin',
      actor: { type: 'system' },
      isAdmin: true,
    } as never);
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const error = await attempt.catch((err: DomainError) => err);
    const problems = (error as DomainError).details?.problems as string[];
    for (const field of ['accountId', 'password', 'email', 'role', 'isAdmin']) {
      expect(problems.some((p) => p.startsWith(field))).toBe(true);
    }
  });
});
