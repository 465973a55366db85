import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isNatsReachable, ManagedProcess, waitUntil, describeExit } from '#testing';

/** Finds `nats-server` on PATH (and in /usr/sbin, where Debian puts it, for shells without it on PATH). */
export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export const NATS_INSTALL_HELP = [
  'nats-server was not found on PATH. Install it, or point NATS_URL at a running NATS server:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  otherwise:      the official release binary, https://github.com/nats-io/nats-server/releases',
].join('\n');

export interface NatsServerHandle {
  url: string;
  process: ManagedProcess;
}

/** Spawns nats-server with JetStream on 127.0.0.1:`port` and waits until it accepts connections. */
export async function startNatsServer(options: { binary: string; port: number; storeDir: string; logFile: string }): Promise<NatsServerHandle> {
  const url = `nats://127.0.0.1:${options.port}`;
  const server = ManagedProcess.start({
    name: 'nats-server',
    command: options.binary,
    args: ['-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir],
    output: { kind: 'file', path: options.logFile },
    detached: true,
  });
  let exitMessage: string | undefined;
  const exit = server.exited.then((info) => (exitMessage = describeExit(info)));
  try {
    await waitUntil(async () => ((await isNatsReachable(url, 1_000)) ? true : undefined), {
      timeoutMs: 15_000,
      abort: exit,
      describeFailure: () => `nats-server did not accept connections on ${url} within 15 s`,
    });
  } catch (err) {
    await server.stop(2_000);
    const tail = existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    const why = exitMessage ? `nats-server exited (${exitMessage})` : (err as Error).message;
    throw new Error(`${why}; set TWOFOLD_NATS_PORT if port ${options.port} is taken. Last log lines (${options.logFile}):\n${tail}`);
  }
  return { url, process: server };
}
