/**
 * Fault tests: the whole Twofold stack (2 replicas of each service) on its own 3-node NATS cluster
 * and its own PostgreSQL, both on loopback; parts are killed, stopped and restarted under load.
 * The scenarios run in order on one stack (starting it costs ~10 s); each leaves it healthy again.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  api,
  createAccount,
  generateSecrets,
  ManagedProcess,
  randomToken,
  SERVICE_RUNTIME_ENV,
  ServiceStack,
  strongPassword,
  uniqueSuffix,
  waitUntil,
  freePort,
  type ApiResponse,
  type ServiceName,
} from '#testing';
import { NatsCluster, PrivatePostgres, removeDir, tempDir } from './fault-infra.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RPC_TIMEOUT_MS = 2_000;
/** Longest any request may take: the gateway's upstream timeout plus slack. A longer one is a hang. */
const ANSWER_WITHIN_MS = RPC_TIMEOUT_MS + 3_000;
const RECOVERY_MS = 10_000;

let baseDir: string;
let nats: NatsCluster;
let postgres: PrivatePostgres;
let stack: ServiceStack;
let env: Record<string, string>;
let baseUrl: string;
let supportKey: string;
const extraReplicas: ManagedProcess[] = [];

interface Outcome {
  status: number;
  code?: string;
  ms: number;
}

async function timed(fn: () => Promise<ApiResponse>): Promise<Outcome & { body?: any }> {
  const started = Date.now();
  try {
    const response = await fn();
    return { status: response.status, code: response.body?.error?.code, body: response.body, ms: Date.now() - started };
  } catch (err) {
    // fetch failed: connection refused/reset or our own timeout. Reported as status 0.
    return { status: 0, code: (err as Error).name, ms: Date.now() - started };
  }
}

/**
 * Creates a user; the username doubles as the Idempotency-Key, so a retry of a creation whose answer was
 * lost finishes that same creation instead of colliding with it (see docs/policy.md, Retrying safely).
 */
function createUserRequest(accountId: string, username: string) {
  return () =>
    api(baseUrl).post(
      `/api/v1/support/accounts/${accountId}/users`,
      { username, password: strongPassword(), email: `${username}@example.com`, role: 'user' },
      { apiKey: supportKey, timeoutMs: ANSWER_WITHIN_MS + 5_000, headers: { 'idempotency-key': `fault-${username}` } },
    );
}

/** Starts one more replica of a service with the stack's environment (to replace one we killed); resolves once it listens. */
async function startReplica(service: Exclude<ServiceName, 'gateway'>): Promise<ManagedProcess> {
  const log = join(baseDir, `${service}-extra-${extraReplicas.length}.log`);
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const replica = ManagedProcess.start({
    name: `${service}#extra`,
    command: process.execPath,
    args: [join(ROOT, 'dist', 'apps', service, 'src', 'main.js')],
    cwd: ROOT,
    // The runtime settings of every other replica; info, so its 'listening' line shows.
    env: { ...process.env, ...SERVICE_RUNTIME_ENV, ...env, LOG_LEVEL: 'info' },
    output: {
      kind: 'lines',
      onLine: (line) => {
        appendFileSync(log, `${line}\n`);
        if (line.includes('service listening on NATS')) listening();
      },
    },
  });
  extraReplicas.push(replica);
  const exited = replica.exited.then((info) => {
    throw new Error(`replacement ${service} replica exited at boot (${info.code ?? info.signal}); see ${log}`);
  });
  await Promise.race([ready, exited, sleep(30_000, undefined, { ref: false }).then(() => Promise.reject(new Error(`replacement ${service} replica not listening after 30 s`)))]);
  return replica;
}

/** Repeats `probe` until it has succeeded 3 times in a row; answers how long that took (and logs the probes when too long). */
async function timeToRecover(probe: () => Promise<string | true>, limitMs: number): Promise<number> {
  const started = Date.now();
  const trace: string[] = [];
  let streak = 0;
  while (Date.now() - started < limitMs + 5_000) {
    const result = await probe().catch((err: unknown) => String(err));
    trace.push(`${Date.now() - started}ms ${result === true ? 'ok' : result}`);
    streak = result === true ? streak + 1 : 0;
    if (streak >= 3) break;
    await sleep(200);
  }
  const took = streak >= 3 ? Date.now() - started : Infinity;
  if (took > limitMs) process.stderr.write(`recovery took ${took} ms:\n  ${trace.join('\n  ')}\n`);
  return took;
}

async function stackAnswers(): Promise<string | true> {
  const ready = await timed(() => api(baseUrl).get('/health/ready', { timeoutMs: 3_000 }));
  if (ready.status !== 200) return `ready ${ready.status} ${JSON.stringify(ready.body?.services ?? ready.code)} in ${ready.ms}ms`;
  const account = await timed(() => api(baseUrl).post('/api/v1/support/accounts', { name: `probe ${uniqueSuffix(6)}` }, { apiKey: supportKey, timeoutMs: 3_000 }));
  return account.status === 201 ? true : `create account ${account.status} ${account.code} in ${account.ms}ms`;
}

/** The gateway's count of requests received and not yet answered (from /metrics). */
async function inFlight(): Promise<number> {
  const text = await fetch(`${baseUrl}/metrics`).then((r) => r.text(), () => '');
  const line = text.split('\n').find((l) => l.startsWith('twofold_http_requests_in_flight'));
  // The scrape itself is one of them.
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) - 1 : 0;
}

/** Active users without a credential: a user created halfway. Must always be none. */
async function halfWrittenUsers(): Promise<string[]> {
  const rows = await postgres.query<{ id: string }>(
    `SELECT u.id FROM accounts.users u LEFT JOIN auth.credentials c ON c.user_id = u.id
      WHERE u.status = 'active' AND c.user_id IS NULL`,
  );
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  baseDir = tempDir('twofold-faults-');
  [nats, postgres] = await Promise.all([NatsCluster.start(baseDir), PrivatePostgres.start(baseDir)]);
  supportKey = `tfsk_fault_${randomToken(24)}`;
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '100000',
    HOST: '127.0.0.1',
    TRUSTED_PROXIES: '',
    DATABASE_URL: postgres.url(),
    DATABASE_POOL_SIZE: '5',
    NATS_URL: nats.url,
    NATS_SUBJECT_PREFIX: `tffault_${uniqueSuffix(6)}`,
    RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS),
    SUPPORT_BOOTSTRAP_KEY: supportKey,
    ...generateSecrets(),
  };
  stack = ServiceStack.start({
    rootDir: ROOT,
    port: await freePort(),
    replicas: 2,
    env,
    output: (service) => ({ kind: 'file', path: join(baseDir, `${service}.log`) }),
  });
  baseUrl = stack.baseUrl;
  await stack.waitUntilReady({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([stack?.stop(5_000), ...extraReplicas.map((r) => r.stop(5_000))]);
  await Promise.allSettled([nats?.stop(), postgres?.stopServer()]);
  if (process.env.KEEP_FAULT_LOGS) process.stderr.write(`fault test files kept in ${baseDir}\n`);
  else if (baseDir) removeDir(baseDir);
}, 60_000);

describe('faults', () => {
  it('loses no acknowledged write when one replica of each service is killed under load; failures are 503/504 and a retry succeeds', async () => {
    const account = await createAccount({ baseUrl, supportKey });
    const acknowledged: string[] = [];
    const failures: Outcome[] = [];
    const retriesFailed: string[] = [];
    let stop = false;
    let started = 0;
    const worker = async () => {
      while (!stop && started < 300) {
        started++;
        const username = `fault-${uniqueSuffix(10)}`;
        let outcome = await timed(createUserRequest(account.id, username));
        if (outcome.status === 201) {
          acknowledged.push(outcome.body.id);
          continue;
        }
        failures.push(outcome);
        // The client's retry, same username and Idempotency-Key: must end in the user existing.
        for (let attempt = 0; attempt < 10 && outcome.status !== 201; attempt++) {
          await sleep(500);
          outcome = await timed(createUserRequest(account.id, username));
        }
        if (outcome.status === 201) acknowledged.push(outcome.body.id);
        else retriesFailed.push(username);
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    await sleep(1_500);
    for (const service of ['auth', 'mfa', 'accounts'] as const) {
      stack.processes.find((p) => p.service === service && !p.process.hasExited)!.process.killNow('SIGKILL');
    }
    await sleep(4_000);
    stop = true;
    await Promise.all(workers);
    // Back to two replicas each for the next scenarios (before any assertion can stop this test).
    await Promise.all((['auth', 'mfa', 'accounts'] as const).map((service) => startReplica(service)));

    expect(acknowledged.length).toBeGreaterThan(10);
    expect(failures.filter((f) => f.status !== 503 && f.status !== 504)).toEqual([]);
    expect(failures.every((f) => f.ms < ANSWER_WITHIN_MS)).toBe(true);
    const diagnose = async (username: string) => {
      const users = await postgres.query(`SELECT status FROM accounts.users WHERE username = $1`, [username]);
      const credentials = await postgres.query(`SELECT user_id FROM auth.credentials WHERE username = $1`, [username]);
      return `${username}: accounts row ${users.map((u) => u.status).join(',') || 'none'}, credential ${credentials.length ? 'present' : 'none'}`;
    };
    const unrecoverable = await Promise.all(retriesFailed.map(diagnose));
    expect(unrecoverable).toEqual([]);
    const stored = await postgres.query<{ id: string }>(
      `SELECT u.id FROM accounts.users u JOIN auth.credentials c ON c.user_id = u.id WHERE u.status = 'active' AND u.id = ANY($1::uuid[])`,
      [acknowledged],
    );
    expect(stored.length).toBe(acknowledged.length);
    expect(await halfWrittenUsers()).toEqual([]);

  }, 60_000);

  it('recovers by itself within 10 s when one node of the 3-node NATS cluster is killed', async () => {
    expect(await stackAnswers()).toBe(true);
    await nats.killNode(0, 'SIGKILL');
    const recovered = await timeToRecover(stackAnswers, RECOVERY_MS);
    expect(recovered).toBeLessThanOrEqual(RECOVERY_MS);
    nats.startNode(0);
    await nats.waitForJetStream();
  }, 60_000);

  it('recovers by itself within 10 s when the whole NATS cluster restarts', async () => {
    await sleep(1_000);
    expect(await stackAnswers()).toBe(true);
    await nats.restartAll();
    const recovered = await timeToRecover(stackAnswers, RECOVERY_MS);
    expect(recovered).toBeLessThanOrEqual(RECOVERY_MS);
  }, 60_000);

  it('answers 503 with a code while PostgreSQL is down (never a 500, never a hang), recovers, and leaves no half-written user', async () => {
    const account = await createAccount({ baseUrl, supportKey });
    const outcomes: Outcome[] = [];
    let stop = false;
    const worker = async () => {
      for (let i = 0; !stop && i < 500; i++) {
        outcomes.push(await timed(createUserRequest(account.id, `pgdown-${uniqueSuffix(10)}`)));
        await sleep(20);
      }
    };
    const workers = Array.from({ length: 3 }, () => worker());
    await sleep(800);
    await postgres.stopServer();
    const downFrom = outcomes.length;
    await sleep(3_000);
    const during = outcomes.slice(downFrom);
    const login = await timed(() => api(baseUrl).post('/api/v1/auth/login', { username: 'someone', password: 'whatever-password' }, { timeoutMs: ANSWER_WITHIN_MS }));
    await postgres.startServer();
    const recovered = await timeToRecover(stackAnswers, RECOVERY_MS);
    stop = true;
    await Promise.all(workers);

    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((o) => o.status === 503 && o.code === 'SERVICE_UNAVAILABLE').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503 && o.status !== 504)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 0 || o.ms >= ANSWER_WITHIN_MS)).toEqual([]);
    expect(login.status).toBe(503);
    expect(login.code).toBe('SERVICE_UNAVAILABLE');
    expect(recovered).toBeLessThanOrEqual(RECOVERY_MS);
    expect(await halfWrittenUsers()).toEqual([]);
  }, 60_000);

  it('drains in-flight requests when a service replica and then the gateway get SIGTERM', async () => {
    const account = await createAccount({ baseUrl, supportKey });
    const users = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const username = `drain-${uniqueSuffix(8)}`;
        const password = strongPassword();
        const response = await api(baseUrl).post(
          `/api/v1/support/accounts/${account.id}/users`,
          { username, password, email: `${username}@example.com`, role: 'user' },
          { apiKey: supportKey },
        );
        expect(response.status).toBe(201);
        return { username, password };
      }),
    );
    const logins = () =>
      Array.from({ length: 16 }, (_, i) => timed(() => api(baseUrl).post('/api/v1/auth/login', users[i % users.length], { timeoutMs: 15_000 })));

    // A service replica: it stops taking requests, finishes the ones it holds, then exits.
    const auth = stack.processes.find((p) => p.service === 'auth' && !p.process.hasExited)?.process ?? extraReplicas.find((r) => r.name.startsWith('auth') && !r.hasExited)!;
    const first = logins();
    await sleep(150);
    const authExit = auth.stop(10_000, 'SIGTERM');
    const answered = await Promise.all(first);
    // Nest re-raises SIGTERM after its graceful close: SIGKILL would mean the grace period ran out.
    expect((await authExit).signal).not.toBe('SIGKILL');
    expect(answered.map((o) => o.status)).toEqual(answered.map(() => 200));

    // The gateway: requests already received are answered before it closes.
    const gateway = stack.processes.find((p) => p.service === 'gateway')!.process;
    const second = logins();
    // Wait (bounded) until the gateway holds all of them: requests arriving after SIGTERM rightly get 503.
    for (let i = 0; i < 30 && (await inFlight()) < second.length; i++) await sleep(50);
    const gatewayExit = gateway.stop(10_000, 'SIGTERM');
    const drained = await Promise.all(second);
    expect((await gatewayExit).signal).not.toBe('SIGKILL');
    expect(drained.map((o) => o.status)).toEqual(drained.map(() => 200));
  }, 60_000);
});
