import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeExit, ManagedProcess, type ProcessOutput } from './managed-process.js';
import { httpGet, waitUntil } from './wait.js';
import { harnessEnv } from '../harness.config.js';

export const SERVICE_NAMES = ['auth', 'mfa', 'accounts', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * The runtime settings of every service process wherever it runs: `npm start`, the tests and
 * `npm run bench` (through this stack); the Dockerfile and docker-compose.yml carry the same values.
 * What each one is for, and what it was measured to save: docs/operations.md, "Memory". There is no
 * `--enable-source-maps` either: it holds every loaded module's source map in memory (TypeORM's and
 * class-validator's carry their whole sources), ~10 MB per process.
 */
export const SERVICE_RUNTIME_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=256 --v8-pool-size=2',
  UV_THREADPOOL_SIZE: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;

export interface ServiceStackOptions {
  /** Repository root; services run as `node dist/apps/<name>/src/main.js` from it. */
  rootDir: string;
  /** Environment shared by the four services (merged over `SERVICE_RUNTIME_ENV` and the harness's environment unless `inheritEnv` is false). */
  env: Record<string, string | undefined>;
  /** Gateway port, also written to the env as PORT. */
  port: number;
  /** Where each service's output goes. */
  output: (service: ServiceName) => ProcessOutput;
  inheritEnv?: boolean;
  detached?: boolean;
  /** Replicas per back-end service (auth, mfa, accounts); the gateway always runs once. */
  replicas?: number;
}

export interface ReadyOptions {
  timeoutMs?: number;
}

/** The four Twofold services as child processes, with readiness and ordered shutdown. */
export class ServiceStack {
  readonly processes: { service: ServiceName; process: ManagedProcess }[] = [];
  readonly baseUrl: string;
  /** Settles when any service exits on its own, with a message naming it. */
  readonly firstExit: Promise<string>;
  private stopping = false;

  private constructor(private readonly options: ServiceStackOptions) {
    this.baseUrl = `http://127.0.0.1:${options.port}`;
    const env: Record<string, string | undefined> = {
      ...(options.inheritEnv === false ? {} : harnessEnv()),
      ...SERVICE_RUNTIME_ENV,
      ...options.env,
      PORT: String(options.port),
    };
    for (const service of SERVICE_NAMES) {
      const count = service === 'gateway' ? 1 : (options.replicas ?? 1);
      for (let i = 0; i < count; i++) {
        const name = count > 1 ? `${service}#${i + 1}` : service;
        const process = ManagedProcess.start({
          name,
          command: globalThis.process.execPath,
          args: [join(options.rootDir, 'dist', 'apps', service, 'src', 'main.js')],
          cwd: options.rootDir,
          env,
          output: options.output(service),
          detached: options.detached,
        });
        this.processes.push({ service, process });
      }
    }
    this.firstExit = Promise.race(
      this.processes.map(({ process }) =>
        process.exited.then((info) => `service ${process.name} exited during the run (${describeExit(info)})`),
      ),
    );
  }

  /** Checks that the services are built before spawning anything. */
  static start(options: ServiceStackOptions): ServiceStack {
    const missing = SERVICE_NAMES.map((s) => resolve(options.rootDir, 'dist', 'apps', s, 'src', 'main.js')).filter((file) => !existsSync(file));
    if (missing.length) {
      throw new Error(`Services are not built (missing ${missing.join(', ')}). Run \`npm run build\` first.`);
    }
    return new ServiceStack(options);
  }

  /**
   * Waits for GET /health/ready to answer 200. Fails early, naming the service, when one exits;
   * on timeout reports the gateway's last readiness answer (which lists the services not answering).
   */
  async waitUntilReady(options: ReadyOptions = {}): Promise<void> {
    const url = `${this.baseUrl}/health/ready`;
    let last: { status: number; body: string } | undefined;
    let exitMessage: string | undefined;
    const exit = this.firstExit.then((message) => {
      exitMessage = message;
    });
    try {
      await waitUntil(
        async () => {
          last = await httpGet(url);
          return last?.status === 200 ? true : undefined;
        },
        {
          timeoutMs: options.timeoutMs ?? 60_000,
          intervalMs: 300,
          abort: exit,
          describeFailure: () =>
            last
              ? `Twofold did not become ready within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s: ` +
                `GET ${url} answered ${last.status} ${last.body.slice(0, 2_000)}`
              : `Twofold did not become ready: the gateway never answered on ${url}`,
        },
      );
    } catch (err) {
      if (exitMessage) throw new Error(`${exitMessage} before Twofold was ready`);
      throw err;
    }
  }

  /** SIGTERM to every service at once (gateway first, so no new requests arrive), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const ordered = [...this.processes].sort((a, b) => Number(b.service === 'gateway') - Number(a.service === 'gateway'));
    await Promise.all(ordered.map(({ process }) => process.stop(graceMs)));
  }

  pids(): number[] {
    return this.processes.map(({ process }) => process.pid).filter((pid): pid is number => pid !== undefined);
  }
}
