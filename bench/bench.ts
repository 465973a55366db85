/**
 * `npm run bench`: starts its own Twofold stack (its own database and NATS subject prefix on the local
 * PostgreSQL and NATS, as the e2e harness does), measures five figures each against a baseline taken
 * in the same run on the same machine, prints a table and writes JSON to bench/results/.
 *
 * Environment: TEST_DATABASE_URL / TEST_NATS_URL (servers, as for tests), BENCH_REPLICAS (per back-end
 * service, default 1), BENCH_SECONDS (per figure, default 8), BENCH_CONCURRENCY (default 16).
 * See docs/operations.md for what each figure means.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hash } from '@node-rs/argon2';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { normalizeUsername } from '#contracts';
import {
  accessToken,
  createAccount,
  createTestRun,
  createUser,
  dropTestRun,
  enrolAuthenticator,
  freePort,
  generateSecrets,
  randomToken,
  SERVICE_RUNTIME_ENV,
  ServiceStack,
  strongPassword,
  totpCodeFor,
  type TestRunResources,
} from '#testing';
import { HOLDER_PAGE_SQL } from '../apps/accounts/src/users/user.repository.js';
import { ARGON2_OPTIONS } from '../apps/auth/src/credentials/password-hasher.js';
import { JsonClient, residentBytes, runLoad, type LoadResult } from './load.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
const CORES = cpus().length;
/** Comma list of figures to run (1-4; 5 always), default all. */
const ONLY = new Set((process.env.BENCH_ONLY ?? '1,2,3,4').split(',').map((x) => x.trim()));
const SIGNIN_USERS = Number(process.env.BENCH_SIGNIN_USERS ?? 150);
const VERIFY_USERS = Number(process.env.BENCH_VERIFY_USERS ?? 200);
const LIST_ACCOUNTS = 1_000;
const LIST_USERS_PER_ACCOUNT = 100;
const MB = 1024 * 1024;
/** Unrecorded load before figures 2 and 4 (both sides alike): steady state, not start-up, is measured. */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2_000);
/**
 * The services' runtime settings: libs/testing's SERVICE_RUNTIME_ENV, the same as the Dockerfile and
 * docker-compose.yml (docs/operations.md, "Memory"). BENCH_NODE_OPTIONS / BENCH_UV_THREADPOOL_SIZE
 * replace them to measure others.
 */
const SERVICE_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? SERVICE_RUNTIME_ENV.NODE_OPTIONS;
const SERVICE_THREADPOOL = process.env.BENCH_UV_THREADPOOL_SIZE ?? SERVICE_RUNTIME_ENV.UV_THREADPOOL_SIZE;

interface Figure {
  name: string;
  measured: string;
  baseline: string;
  ratio?: number;
  goal: string;
  met?: boolean;
  detail: Record<string, unknown>;
}

const figures: Figure[] = [];
const loadAtStart = loadavg();
let upstream: Record<string, { meanMs: number; count: number }> = {};
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const step = () => Math.floor(Date.now() / 30_000);

/** A TOTP code for an explicit time step (the replay guard takes each step once per user). */
function codeForStep(secret: string, s: number): string {
  return totpCodeFor(secret, s - step());
}

async function waitForNextStep(): Promise<void> {
  const ms = 30_000 - (Date.now() % 30_000) + 200;
  log(`waiting ${Math.round(ms / 1000)} s for a fresh TOTP time step`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, line });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

/** With BENCH_PROFILE=1: SIGUSR2 to every service starts (then stops and writes) a CPU profile. */
let profiledStack: ServiceStack | undefined;
function toggleProfiles(): void {
  if (!process.env.BENCH_PROFILE || !profiledStack) return;
  for (const pid of profiledStack.pids()) process.kill(pid, 'SIGUSR2');
}

// ---- memory sampling (figure 5) -----------------------------------------------------------------

const peakRss = new Map<string, number>();
let sampler: NodeJS.Timeout | undefined;
function startSampling(stack: ServiceStack): void {
  sampler = setInterval(() => {
    for (const { process } of stack.processes) {
      if (process.pid === undefined) continue;
      void residentBytes(process.pid).then((bytes) => {
        if (bytes !== undefined) peakRss.set(process.name, Math.max(peakRss.get(process.name) ?? 0, bytes));
      });
    }
  }, 200);
}

// ---- figure 1: sign-in with password + TOTP -------------------------------------------------------

interface Enrolled {
  username: string;
  password: string;
  secret: string;
}

async function enrolUsers(stackRef: { baseUrl: string; supportKey: string }, accountId: string, count: number): Promise<Enrolled[]> {
  const users: Enrolled[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const user = await createUser(stackRef, accountId);
      const token = await accessToken(stackRef, user.username, user.password);
      const { authenticator } = await enrolAuthenticator(stackRef, token);
      users.push({ username: user.username, password: user.password, secret: authenticator.secret });
    }
  };
  await Promise.all(Array.from({ length: 4 }, () => worker()));
  return users;
}

/** Client addresses from the benchmarking range, so per-IP limits see many clients (as in production). */
const clientIp = (i: number) => `198.18.${(i >> 8) & 255}.${i & 255}`;

async function rawArgon2(): Promise<LoadResult> {
  return runLoad({ concurrency: CORES, durationMs: SECONDS * 1000, op: async () => void (await hash(randomToken(16), ARGON2_OPTIONS)) });
}

async function signIns(http: JsonClient, users: Enrolled[]): Promise<LoadResult> {
  const s0 = step();
  // Each user signs in at most twice: steps s0 then s0+1, so the replay guard accepts both.
  const plan = [...users.map((u) => [u, s0] as const), ...users.map((u) => [u, s0 + 1] as const)];
  return runLoad({
    concurrency: CONCURRENCY,
    durationMs: SECONDS * 1000,
    maxOps: plan.length,
    op: async (i) => {
      const [user, s] = plan[i]!;
      const headers = { 'x-forwarded-for': clientIp(i) };
      const first = await http.request('POST', '/api/v1/auth/login', { username: user.username, password: user.password }, headers);
      if (first.status !== 200 || first.body?.status !== 'mfa_required') throw new Error(`login ${first.status} ${JSON.stringify(first.body)}`);
      const second = await http.request('POST', '/api/v1/auth/mfa/verify', { challengeId: first.body.challengeId, method: 'totp', code: codeForStep(user.secret, s) }, headers);
      if (second.status !== 200) throw new Error(`verify ${second.status} ${JSON.stringify(second.body)}`);
    },
  });
}

// ---- figure 3: TOTP verify through the gateway -----------------------------------------------------

async function totpVerifies(http: JsonClient, users: Enrolled[]): Promise<LoadResult> {
  const s0 = step();
  const plan = [...users.map((u) => [u, s0] as const), ...users.map((u) => [u, s0 + 1] as const)];
  // Challenges come from password sign-ins made before the clock starts: only the verify is measured.
  log(`opening ${plan.length} sign-in challenges`);
  const challenges: string[] = [];
  await runLoad({
    concurrency: CONCURRENCY,
    durationMs: 120_000,
    maxOps: plan.length,
    op: async (i) => {
      const [user] = plan[i]!;
      const res = await http.request('POST', '/api/v1/auth/login', { username: user.username, password: user.password }, { 'x-forwarded-for': clientIp(i) });
      if (res.body?.status !== 'mfa_required') throw new Error(`login ${res.status}`);
      challenges[i] = res.body.challengeId;
    },
  });
  return runLoad({
    concurrency: CONCURRENCY,
    durationMs: SECONDS * 1000,
    maxOps: plan.length,
    op: async (i) => {
      const [user, s] = plan[i]!;
      const res = await http.request('POST', '/api/v1/auth/mfa/verify', { challengeId: challenges[i], method: 'totp', code: codeForStep(user.secret, s) }, { 'x-forwarded-for': clientIp(i) });
      if (res.status !== 200) throw new Error(`verify ${res.status} ${JSON.stringify(res.body)}`);
    },
  });
}

// ---- figure 2: accounts.mfa-requirement.get over NATS ---------------------------------------------

async function natsRequests(nc: NatsConnection, subject: string, body: (i: number) => string): Promise<LoadResult> {
  return runLoad({
    concurrency: CONCURRENCY,
    durationMs: SECONDS * 1000,
    warmupMs: WARMUP_MS,
    op: async (i) => {
      const reply = await nc.request(subject, body(i), { timeout: 5_000 });
      const parsed = reply.json<{ err?: unknown }>();
      if (parsed.err) throw new Error(JSON.stringify(parsed.err));
    },
  });
}

// ---- figure 4: the holder's user list at 100,000 users ------------------------------------------------

async function seedUsers(databaseUrl: string, measuredAccountId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // One real argon2id hash shared by every seeded credential: the list never verifies passwords, and
    // hashing 100,000 passwords would take the machine an hour.
    const passwordHash = await hash(strongPassword(), ARGON2_OPTIONS);
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO accounts.accounts (id, name) SELECT gen_random_uuid(), 'Bench practice ' || n FROM generate_series(1, $1) AS n`,
      [LIST_ACCOUNTS - 1],
    );
    // 99 more users in the measured account (its holder was made through the API), 100 in every other.
    await client.query(
      `INSERT INTO accounts.users (id, account_id, username, email, role, status)
       SELECT gen_random_uuid(), a.id, 'bench-' || left(a.id::text, 8) || '-' || n, 'bench-' || left(a.id::text, 8) || '-' || n || '@example.com',
              CASE WHEN n = 1 THEN 'holder' ELSE 'user' END, 'active'
         FROM accounts.accounts a CROSS JOIN generate_series(1, $1) AS n
        WHERE a.name LIKE 'Bench practice %'`,
      [LIST_USERS_PER_ACCOUNT],
    );
    await client.query(
      `INSERT INTO accounts.users (id, account_id, username, email, role, status)
       SELECT gen_random_uuid(), $1, 'bench-measured-' || n, 'bench-measured-' || n || '@example.com', 'user', 'active' FROM generate_series(1, $2) AS n`,
      [measuredAccountId, LIST_USERS_PER_ACCOUNT - 1],
    );
    // Credentials as auth stores them: the normalised username (all seeded names are already normal).
    await client.query(
      `INSERT INTO auth.credentials (user_id, username, password_hash)
       SELECT u.id, u.username, $1 FROM accounts.users u WHERE u.username LIKE 'bench-%' ON CONFLICT DO NOTHING`,
      [passwordHash],
    );
    await client.query('COMMIT');
    // Settle the bulk load before anything is timed: vacuum and analyze now (rather than autovacuum in the
    // middle of a measurement), and write the dirty pages out (a checkpoint would otherwise land mid-figure).
    await client.query('VACUUM (ANALYZE) accounts.users');
    await client.query('VACUUM (ANALYZE) auth.credentials');
    await client.query('VACUUM (ANALYZE) accounts.accounts');
    await client.query('CHECKPOINT').catch((err: unknown) => log(`checkpoint skipped: ${String(err)}`));
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts.users`);
    log(`seeded: ${rows[0]!.n} users in ${LIST_ACCOUNTS}+ accounts (normalizeUsername check: ${normalizeUsername('bench-x-1') === 'bench-x-1'})`);
  } finally {
    await client.end();
  }
}

/** The statement a holder's list runs (`HOLDER_PAGE_SQL`: role check, total and page in one), run directly. */
async function directListSql(pool: pg.Pool, accountId: string, holderId: string, username: string | undefined): Promise<LoadResult> {
  return runLoad({
    concurrency: 4,
    durationMs: SECONDS * 1000,
    warmupMs: WARMUP_MS,
    op: async () => {
      await pool.query(HOLDER_PAGE_SQL, [accountId, username ?? null, 10, 0, holderId]);
    },
  });
}

async function gatewayList(http: JsonClient, accountId: string, token: string, query: string): Promise<LoadResult> {
  return runLoad({
    concurrency: 4,
    durationMs: SECONDS * 1000,
    warmupMs: WARMUP_MS,
    op: async () => {
      const res = await http.request('GET', `/api/v1/accounts/${accountId}/users${query}`, undefined, { authorization: `Bearer ${token}` });
      if (res.status !== 200) throw new Error(`list ${res.status} ${JSON.stringify(res.body)}`);
    },
  });
}

// ---- main ---------------------------------------------------------------------------------------

/** Runs one figure; a figure that cannot be measured (endpoint missing, error) is reported as n/a, never faked. */
async function figure(name: string, goal: string, measure: () => Promise<void>): Promise<void> {
  if (!ONLY.has(name.split('.')[0]!)) return;
  try {
    toggleProfiles();
    await measure();
    toggleProfiles();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const missing = / 404 /.test(` ${message} `) || message.includes('ROUTE_NOT_FOUND') || message.includes('no responders') || message.includes('503');
    log(`${name}: ${message}`);
    figures.push({ name, measured: missing ? 'n/a (endpoint missing)' : `n/a (${message.slice(0, 80)})`, baseline: '', goal, detail: { error: message } });
  }
}

function ratioFigure(name: string, measured: LoadResult, baseline: LoadResult, goal: number, goalText: string, extra: Record<string, unknown> = {}): Figure {
  const ratio = measured.perSecond / baseline.perSecond;
  return {
    name,
    measured: `${fmt(measured.perSecond)}/s p50 ${fmt(measured.p50Ms)} ms p99 ${fmt(measured.p99Ms)} ms`,
    baseline: `${fmt(baseline.perSecond)}/s p50 ${fmt(baseline.p50Ms)} ms p99 ${fmt(baseline.p99Ms)} ms`,
    ratio,
    goal: goalText,
    met: ratio >= goal,
    detail: { measured, baseline, ...extra },
  };
}

async function main(): Promise<void> {
  let run: TestRunResources | undefined;
  let stack: ServiceStack | undefined;
  const children: ChildProcess[] = [];
  let nc: NatsConnection | undefined;
  try {
    run = await createTestRun();
    const port = await freePort();
    const supportKey = `tfsk_bench_${randomToken(24)}`;
    const logDir = join(ROOT, 'test-results', 'logs', `bench-${run.runId}`);
    stack = ServiceStack.start({
      rootDir: ROOT,
      port,
      replicas: REPLICAS,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        TRUSTED_PROXIES: '127.0.0.1',
        DATABASE_URL: run.databaseUrl,
        NATS_URL: run.natsUrl,
        NATS_SUBJECT_PREFIX: run.prefix,
        SUPPORT_BOOTSTRAP_KEY: supportKey,
        // Limits stay on (counted in PostgreSQL on every attempt) with a ceiling the bench cannot reach.
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
        MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '1000000',
        ...generateSecrets(),
        // BENCH_PROFILE=1: every service writes a V8 CPU profile at exit (summarise with bench/profile-summary).
        // The runtime settings every deployment gives the services (ServiceStack applies SERVICE_RUNTIME_ENV;
        // these two may be replaced, see above; docs/operations.md, Memory).
        UV_THREADPOOL_SIZE: SERVICE_THREADPOOL,
        NODE_OPTIONS: [SERVICE_NODE_OPTIONS, process.env.BENCH_PROFILE ? `--require ${join(ROOT, 'bench', 'profiler-hook.cjs')}` : ''].join(' ').trim(),
        ...(process.env.BENCH_PROFILE ? { BENCH_PROFILE_DIR: join(logDir, 'profiles') } : {}),
      },
      output: (service) => ({ kind: 'file', path: join(logDir, `${service}.log`) }),
    });
    await stack.waitUntilReady({ timeoutMs: 60_000 });
    profiledStack = stack;
    log(`stack ready (${REPLICAS} replica(s) per service, ${CORES} cores); logs in ${logDir}`);
    const stackRef = { baseUrl: stack.baseUrl, supportKey };
    const http = new JsonClient(stack.baseUrl, CONCURRENCY);

    // Figure 5, idle: after boot, before any load.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleRss = new Map<string, number>();
    for (const { process } of stack.processes) idleRss.set(process.name, (await residentBytes(process.pid!)) ?? NaN);
    startSampling(stack);

    // Users with an authenticator, for figures 1 and 3 (two sets: each user's codes are single-use per step).
    const account = await createAccount(stackRef, 'Bench sign-in');
    log(`enrolling ${SIGNIN_USERS + VERIFY_USERS} users with TOTP`);
    const enrolled = await enrolUsers(stackRef, account.id, SIGNIN_USERS + VERIFY_USERS);
    const signInUsers = enrolled.slice(0, SIGNIN_USERS);
    const verifyUsers = enrolled.slice(SIGNIN_USERS);

    // 1. sign-in vs raw argon2id
    await figure('1. sign-in password+TOTP via gateway', '>= 85% of raw argon2id hashes/s', async () => {
      log('figure 1: raw argon2id baseline');
      const argon = await rawArgon2();
      await waitForNextStep();
      log('figure 1: sign-in with password + TOTP');
      const signin = await signIns(http, signInUsers);
      figures.push(
        ratioFigure('1. sign-in password+TOTP via gateway', signin, argon, 0.85, '>= 85% of raw argon2id hashes/s', {
          argon2: { memoryCost: ARGON2_OPTIONS.memoryCost, timeCost: ARGON2_OPTIONS.timeCost, parallelism: ARGON2_OPTIONS.parallelism },
          cores: CORES,
          baselineConcurrency: CORES,
          perCore: { signInsPerSecond: signin.perSecond / CORES, hashesPerSecond: argon.perSecond / CORES },
        }),
      );
    });

    // 2. accounts.mfa-requirement.get vs raw NATS echo (same client library, same concurrency)
    nc = await connect({ servers: run.natsUrl.split(','), name: 'bench' });
    const echoSubject = `${run.prefix}.bench.echo`;
    const echo = await startChild('echo-responder.js', [run.natsUrl, echoSubject]);
    children.push(echo.child);
    const natsClient = nc;
    await figure('2. accounts.mfa-requirement.get over NATS', '>= 60% of raw NATS echo', async () => {
      const requirementSubject = `${run!.prefix}.accounts.mfa-requirement.get`;
      const created = await http.request('POST', `/api/v1/support/accounts/${account.id}/users`, { username: `req-${Date.now()}`, password: strongPassword(), email: 'req@example.com', role: 'user' }, { 'x-api-key': supportKey });
      if (created.status !== 201) throw new Error(`create user ${created.status}`);
      const packet = (i: number) => JSON.stringify({ pattern: 'accounts.mfa-requirement.get', data: { userId: created.body.id }, id: `b${i}` });
      log('figure 2: raw NATS echo baseline');
      const natsEcho = await natsRequests(natsClient, echoSubject, packet);
      log('figure 2: accounts.mfa-requirement.get');
      const requirement = await natsRequests(natsClient, requirementSubject, packet);
      figures.push(ratioFigure('2. accounts.mfa-requirement.get over NATS', requirement, natsEcho, 0.6, '>= 60% of raw NATS echo'));
    });

    // 3. TOTP verify via gateway vs bare Fastify route with one NATS echo
    await figure('3. TOTP verify via gateway', '>= 50% of bare route + NATS echo', async () => {
      const bare = await startChild('bare-route.js', [run!.natsUrl, echoSubject]);
      children.push(bare.child);
      const bareHttp = new JsonClient(`http://127.0.0.1:${bare.line.split(' ')[1]}`, CONCURRENCY);
      log('figure 3: bare Fastify route + NATS echo baseline');
      const bareResult = await runLoad({
        concurrency: CONCURRENCY,
        durationMs: SECONDS * 1000,
        op: async () => {
          const res = await bareHttp.request('POST', '/echo', { challengeId: '00000000-0000-4000-8000-000000000000', method: 'totp', code: '123456' });
          if (res.status !== 200) throw new Error(`bare ${res.status}`);
        },
      });
      bareHttp.close();
      log('figure 3: TOTP verify via gateway');
      const verify = await totpVerifies(http, verifyUsers);
      figures.push(ratioFigure('3. TOTP verify via gateway', verify, bareResult, 0.5, '>= 50% of bare route + NATS echo'));
    });

    // 4. the holder's user list at 100,000 users in 1,000 accounts
    await figure('4. holder user list (100k users)', 'p99 < 10 ms', async () => {
      log('figure 4: seeding 100,000 users in 1,000 accounts');
      const listAccount = await createAccount(stackRef, 'Bench list');
      const holder = await createUser(stackRef, listAccount.id, { role: 'holder' });
      await seedUsers(run!.databaseUrl, listAccount.id);
      const holderToken = await accessToken(stackRef, holder.username, holder.password);
      const pool = new pg.Pool({ connectionString: run!.databaseUrl, max: 4 });
      const exactName = 'bench-measured-42';
      log('figure 4: direct SQL baselines');
      const sqlPage = await directListSql(pool, listAccount.id, holder.id, undefined);
      const sqlExact = await directListSql(pool, listAccount.id, holder.id, exactName);
      await pool.end();
      log('figure 4: holder list via gateway');
      const apiPage = await gatewayList(http, listAccount.id, holderToken, '?page=1');
      const apiExact = await gatewayList(http, listAccount.id, holderToken, `?username=${encodeURIComponent(exactName)}`);
      for (const [label, api, sql] of [
        ['page 1', apiPage, sqlPage],
        ['exact search', apiExact, sqlExact],
      ] as const) {
        figures.push({
          name: `4. holder user list, ${label} (100k users)`,
          measured: `p99 ${fmt(api.p99Ms, 2)} ms (p50 ${fmt(api.p50Ms, 2)} ms, ${fmt(api.perSecond)}/s)`,
          baseline: `same SQL direct: p99 ${fmt(sql.p99Ms, 2)} ms (p50 ${fmt(sql.p50Ms, 2)} ms)`,
          ratio: api.p99Ms / sql.p99Ms,
          goal: 'p99 < 10 ms',
          met: api.p99Ms < 10,
          detail: { measured: api, baseline: sql },
        });
      }
    });

    // Where the gateway's time went: mean round trip of each upstream subject over the whole run.
    const text = await http.request('GET', '/metrics').then((r) => String(r.body), () => '');
    const sums = new Map<string, { sum: number; count: number }>();
    for (const line of text.split('\n')) {
      const m = /^twofold_nats_request_duration_seconds_(sum|count)\{.*subject="([^"]+)",result="ok"\} ([0-9.e+-]+)$/.exec(line);
      if (!m) continue;
      const entry = sums.get(m[2]!) ?? { sum: 0, count: 0 };
      entry[m[1] as 'sum' | 'count'] += Number(m[3]);
      sums.set(m[2]!, entry);
    }
    upstream = Object.fromEntries([...sums].filter(([, v]) => v.count > 0).map(([k, v]) => [k, { meanMs: Number(((1000 * v.sum) / v.count).toFixed(2)), count: v.count }]));

    // 5. memory
    clearInterval(sampler);
    const memory = stack.processes.map(({ process }) => ({
      process: process.name,
      idleMb: (idleRss.get(process.name) ?? NaN) / MB,
      loadMb: (peakRss.get(process.name) ?? NaN) / MB,
    }));
    const worst = Math.max(...memory.map((m) => m.loadMb));
    figures.push({
      name: '5. resident memory per process',
      measured: memory.map((m) => `${m.process} ${fmt(m.idleMb, 0)}→${fmt(m.loadMb, 0)} MB`).join(', '),
      baseline: 'idle → peak under load',
      goal: '< 150 MB per service',
      met: worst < 150,
      detail: { memory },
    });
    http.close();
  } finally {
    clearInterval(sampler);
    await nc?.close().catch(() => undefined);
    for (const child of children) child.kill('SIGTERM');
    await stack?.stop(10_000);
    if (run) await dropTestRun(run).catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

function report(): void {
  const rows = figures.map((f) => [f.name, f.measured, f.baseline, f.ratio === undefined ? '' : f.name.startsWith('4.') ? `${f.ratio.toFixed(1)}x SQL` : `${(f.ratio * 100).toFixed(0)}%`, f.goal, f.met === undefined ? '' : f.met ? 'met' : 'NOT met']);
  const header = ['figure', 'measured', 'baseline (same run)', 'ratio', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const load = { atStart: loadAtStart, atEnd: loadavg() };
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), serviceRuntime: { ...SERVICE_RUNTIME_ENV, NODE_OPTIONS: SERVICE_NODE_OPTIONS, UV_THREADPOOL_SIZE: SERVICE_THREADPOOL }, cores: CORES, replicas: REPLICAS, seconds: SECONDS, warmupMs: WARMUP_MS, concurrency: CONCURRENCY, node: process.version, load, figures, gatewayUpstreamMeans: upstream }, null, 2));
  console.log(`\n${CORES} cores, ${REPLICAS} replica(s) per service; load average at start ${load.atStart.map((x) => x.toFixed(1)).join(' ')}, at end ${load.atEnd.map((x) => x.toFixed(1)).join(' ')}`);
  const slowest = Object.entries(upstream).sort((a, b) => b[1].meanMs - a[1].meanMs).slice(0, 8);
  if (slowest.length) console.log(`gateway's mean upstream round trips: ${slowest.map(([k, v]) => `${k} ${v.meanMs} ms`).join(', ')}`);
  console.log(`written ${file}`);
}

try {
  await main();
  report();
  process.exit(0);
} catch (err) {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (figures.length) report();
  process.exit(1);
}
