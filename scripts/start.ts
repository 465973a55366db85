/**
 * `npm start`: the whole Twofold stack on one machine, for development and demos.
 *
 * PostgreSQL: DATABASE_URL when it is set and answers, otherwise an embedded PostgreSQL in
 * .twofold/postgres (port TWOFOLD_PG_PORT, default 54329). NATS: NATS_URL when set and answering,
 * otherwise nats-server from PATH with JetStream in .twofold/nats (port TWOFOLD_NATS_PORT, default
 * 42229). Neither falls back to the default ports silently: only what is set is probed.
 * Then the four services as child processes, a demo account seeded once, and Ctrl-C stops it all.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import pg from 'pg';
import { ensureDatabase, isNatsReachable, SERVICE_RUNTIME_ENV, ServiceStack, withDatabase, type ServiceName } from '#testing';
import { bold, cyan, dim, fail, green, info, serviceLine, warn } from './lib/console.js';
import { ensureDemo, type DemoCredentials } from './lib/demo.js';
import { startDevMailbox } from './lib/dev-mailbox.js';
import { loadDevSecrets } from './lib/dev-secrets.js';
import { startEmbeddedPostgres } from './lib/embedded-postgres.js';
import { findNatsServer, NATS_INSTALL_HELP, startNatsServer } from './lib/nats-server.js';
import { claimRun, recordChildren, releaseRun } from './lib/orphans.js';
import { ensureStateDir, redactUrl, ROOT_DIR, statePath } from './lib/paths.js';

const env = process.env;
const SERVICE_GRACE_MS = 10_000;

/** Stop actions, run newest first: services, then NATS, then PostgreSQL. */
const stopActions: { name: string; run: () => Promise<unknown> }[] = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => undefined);
  shuttingDown = true;
  if (stopActions.length) info(code === 0 ? 'stopping…' : 'stopping everything…');
  for (const action of stopActions.reverse()) {
    try {
      await action.run();
    } catch (err) {
      warn(`stopping ${action.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  releaseRun();
  if (code === 0) info('stopped');
  process.exit(code);
}

function installSignalHandlers(): void {
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) {
        // A second Ctrl-C: do not wait for the grace period. The 'exit' reapers SIGKILL the children.
        warn('second signal: killing everything now');
        releaseRun();
        process.exit(1);
      }
      void shutdown(0);
    });
  }
  process.on('uncaughtException', (err) => {
    fail(`crashed: ${err.stack ?? err.message}`);
    void shutdown(1);
  });
  process.on('unhandledRejection', (reason) => {
    fail(`crashed: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    void shutdown(1);
  });
}

type PostgresProbe = 'ok' | 'no-database' | 'unreachable';

async function probePostgres(url: string): Promise<{ result: PostgresProbe; error?: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { result: 'ok' };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { result: code === '3D000' ? 'no-database' : 'unreachable', error: (err as Error).message || code };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function decidePostgres(password: string): Promise<{ url: string; description: string }> {
  const configured = env.DATABASE_URL?.trim();
  if (configured) {
    let probe = await probePostgres(configured);
    if (probe.result === 'no-database') {
      const name = decodeURIComponent(new URL(configured).pathname.slice(1));
      info(`database "${name}" does not exist on ${redactUrl(configured)}; creating it`);
      try {
        await ensureDatabase(withDatabase(configured, 'postgres'), name);
        probe = await probePostgres(configured);
      } catch (err) {
        probe = { result: 'unreachable', error: `could not create it: ${(err as Error).message}` };
      }
    }
    if (probe.result === 'ok') return { url: configured, description: `${redactUrl(configured)} (DATABASE_URL)` };
    warn(`DATABASE_URL is set but PostgreSQL at ${redactUrl(configured)} does not answer (${probe.error}).`);
    warn('Falling back to the embedded PostgreSQL for this run.');
  }
  const port = Number(env.TWOFOLD_PG_PORT ?? 54329);
  info(`starting embedded PostgreSQL on 127.0.0.1:${port}…`);
  const embedded = await startEmbeddedPostgres({
    dataDir: statePath('postgres'),
    port,
    password,
    logFile: statePath('postgres.log'),
  });
  stopActions.push({ name: 'embedded PostgreSQL', run: () => embedded.stop() });
  embedded.exited.then(() => {
    if (shuttingDown) return;
    fail(`the embedded PostgreSQL stopped unexpectedly; see ${statePath('postgres.log')}`);
    void shutdown(1);
  });
  return { url: embedded.url, description: `embedded, 127.0.0.1:${port}, data in .twofold/postgres` };
}

async function decideNats(): Promise<{ url: string; description: string; pid?: number }> {
  const configured = env.NATS_URL?.trim();
  if (configured) {
    if (await isNatsReachable(configured, 2_000)) return { url: configured, description: `${redactUrl(configured)} (NATS_URL)` };
    warn(`NATS_URL is set but no NATS server answers at ${redactUrl(configured)}; starting a local nats-server instead.`);
  }
  const binary = findNatsServer();
  if (!binary) {
    fail(NATS_INSTALL_HELP);
    return shutdown(1);
  }
  const port = Number(env.TWOFOLD_NATS_PORT ?? 42229);
  info(`starting nats-server on 127.0.0.1:${port}…`);
  const nats = await startNatsServer({ binary, port, storeDir: statePath('nats'), logFile: statePath('nats-server.log') });
  stopActions.push({ name: 'nats-server', run: () => nats.process.stop(5_000) });
  nats.process.exited.then(() => {
    if (shuttingDown) return;
    fail(`nats-server stopped unexpectedly; see ${statePath('nats-server.log')}`);
    void shutdown(1);
  });
  return { url: nats.url, description: `nats-server, ${nats.url}, JetStream in .twofold/nats`, pid: nats.process.pid };
}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

function printBanner(port: number, demo: DemoCredentials, seeded: boolean, database: string, nats: string, mail: string): void {
  const url = `http://localhost:${port}`;
  const width = Math.max(...[demo.holder, ...demo.users].map((u) => [...u.username].length));
  const person = (u: { username: string; password: string }) => `${bold(u.username.padEnd(width + (u.username.length - [...u.username].length)))}  password ${green(u.password)}`;
  const lines = [
    '',
    bold('Twofold is running'),
    `  Web UI          ${cyan(`${url}/`)}`,
    `  API docs        ${cyan(`${url}/docs`)}`,
    `  Health          ${url}/health/ready`,
    '',
    `  Demo account    ${demo.account.name} ${dim(`(${demo.account.id})${seeded ? ', just created' : ''}`)}`,
    `  Account holder  ${person(demo.holder)}`,
    ...demo.users.map((u, i) => `  ${i === 0 ? 'Users' : '     '}           ${person(u)}`),
    `  Support API key ${green(demo.supportKey)} ${dim('(header X-Api-Key)')}`,
    '',
    `  PostgreSQL      ${database}`,
    `  NATS            ${nats}`,
    `  Mail            ${mail}`,
    `  ${dim('Credentials are kept in .twofold/demo.json. Press Ctrl-C to stop.')}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  installSignalHandlers();
  ensureStateDir();
  await claimRun();
  const secrets = loadDevSecrets();

  const port = Number(env.PORT ?? 3000);
  if (await portInUse(port)) {
    fail(`port ${port} is already in use; stop whatever listens there or set PORT=<another port>.`);
    return shutdown(1);
  }

  const database = await decidePostgres(secrets.EMBEDDED_POSTGRES_PASSWORD);
  const nats = await decideNats();

  if (!existsSync(`${ROOT_DIR}/dist/apps/gateway/src/main.js`)) {
    fail('the services are not built: run `npm start` (which builds) rather than node dist/scripts/start.js directly.');
    return shutdown(1);
  }
  // Mail (email codes, security notifications): SMTP_URL when set, else a development mailbox on loopback.
  let mail = `${redactUrl(env.SMTP_URL ?? '')} (SMTP_URL)`;
  let smtpUrl = env.SMTP_URL;
  if (!smtpUrl) {
    const mailbox = await startDevMailbox(env);
    stopActions.push({ name: 'development mailbox', run: () => mailbox.stop() });
    smtpUrl = mailbox.smtpUrl;
    mail = `development mailbox: read it at ${cyan(`${mailbox.httpUrl}/`)} or .twofold/mail/ (SMTP ${mailbox.smtpUrl})`;
  }

  info('starting gateway, auth, mfa and accounts…');
  const services = ServiceStack.start({
    rootDir: ROOT_DIR,
    port,
    detached: true,
    output: (service: ServiceName) => ({ kind: 'lines', onLine: (line) => process.stdout.write(`${serviceLine(service, line)}\n`) }),
    env: {
      // The services' runtime settings (SERVICE_RUNTIME_ENV, docs/operations.md "Memory"), plus whatever
      // NODE_OPTIONS you start with, e.g. NODE_OPTIONS=--enable-source-maps for TypeScript stack traces.
      NODE_OPTIONS: [SERVICE_RUNTIME_ENV.NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(' '),
      NODE_ENV: env.NODE_ENV ?? 'development',
      DATABASE_URL: database.url,
      NATS_URL: nats.url,
      JWT_PRIVATE_KEY: env.JWT_PRIVATE_KEY || secrets.JWT_PRIVATE_KEY,
      MFA_ENCRYPTION_KEYS: env.MFA_ENCRYPTION_KEYS || secrets.MFA_ENCRYPTION_KEYS,
      SMTP_URL: smtpUrl,
    },
  });
  stopActions.push({ name: 'services', run: () => services.stop(SERVICE_GRACE_MS) });
  recordChildren([
    ...services.processes.map(({ process: child }) => ({ name: child.name, pid: child.pid ?? 0, group: true, match: 'dist/apps/' })),
    ...(nats.pid ? [{ name: 'nats-server', pid: nats.pid, group: true, match: 'nats-server' }] : []),
  ]);
  services.firstExit.then((message) => {
    if (shuttingDown) return;
    fail(message);
    void shutdown(1);
  });

  await services.waitUntilReady({ timeoutMs: 60_000 });
  const { demo, seeded } = await ensureDemo(services.baseUrl, database.url);
  printBanner(port, demo, seeded, database.description, nats.description, mail);
}

main().catch((err: unknown) => {
  if (shuttingDown) return;
  fail(err instanceof Error ? err.message : String(err));
  void shutdown(1);
});
