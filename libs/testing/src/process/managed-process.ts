import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { harnessEnv } from '../harness.config.js';

/** Where a child's stdout/stderr go: prefixed onto ours (the dev stack) or into a file (tests). */
export type ProcessOutput =
  | { kind: 'prefix'; prefix: string; stream?: NodeJS.WritableStream }
  | { kind: 'lines'; onLine: (line: string) => void }
  | { kind: 'file'; path: string }
  | { kind: 'ignore' };

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  output: ProcessOutput;
  /**
   * Own process group, so a Ctrl-C in the terminal reaches only the supervisor, which then stops
   * children in order. The cost: a supervisor killed with SIGKILL leaves them running, hence
   * `reapOnExit` and the pid files of the dev stack.
   */
  detached?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ManagedProcess>();
let reaperInstalled = false;

/**
 * Last resort against orphans: whatever path ends this Node process (process.exit, an uncaught
 * exception after our handlers, the end of a jest run), children still running get SIGKILL.
 * Only synchronous work is possible in an 'exit' listener, which is exactly what `kill` is.
 */
function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.killNow('SIGKILL');
  });
}

/** A child process with a name, a promise of its exit, and a polite-then-firm `stop`. */
export class ManagedProcess {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private exitInfo?: ExitInfo;
  private readonly detached: boolean;

  private constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.detached = options.detached ?? false;
    let fd: number | undefined;
    let stdio: 'ignore' | 'pipe' | number = 'pipe';
    if (options.output.kind === 'file') {
      mkdirSync(dirname(options.output.path), { recursive: true });
      fd = openSync(options.output.path, 'a');
      stdio = fd;
    } else if (options.output.kind === 'ignore') {
      stdio = 'ignore';
    }
    this.child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? harnessEnv(),
      stdio: ['ignore', stdio, stdio],
      detached: this.detached,
    });
    // The child holds its own copy of the descriptor now.
    if (fd !== undefined) closeSync(fd);
    const output = options.output;
    if (output.kind === 'prefix' || output.kind === 'lines') {
      const onLine =
        output.kind === 'lines'
          ? output.onLine
          : (line: string) => (output.stream ?? process.stdout).write(`${output.prefix}${line}\n`);
      for (const stream of [this.child.stdout, this.child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
      }
    }
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        // Spawn failure (ENOENT…): report it as an exit so waiters do not hang.
        if (!this.exitInfo) {
          process.stderr.write(`${options.name}: ${err.message}\n`);
          this.exitInfo = { code: 127, signal: null };
          running.delete(this);
          resolve(this.exitInfo);
        }
      });
    });
    running.add(this);
    installReaper();
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Sends a signal right away; to the whole group when the child leads one. */
  killNow(signal: NodeJS.Signals): void {
    if (this.exitInfo || this.child.pid === undefined) return;
    try {
      if (this.detached) process.kill(-this.child.pid, signal);
      else this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`. Resolves when the process has exited. */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.killNow(signal);
    const timer = setTimeout(() => this.killNow('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}
