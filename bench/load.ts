/**
 * A bounded load generator: `concurrency` workers run `op` until `durationMs` has passed or `maxOps`
 * operations have started, whichever comes first. Latency of every operation is recorded. With
 * `warmupMs`, the same load runs that long first, unrecorded (JIT, connection pools, caches reach their
 * steady state); figures whose operations are single-use (TOTP steps) cannot afford it and skip it.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface LoadResult {
  ops: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

export async function runLoad(options: {
  concurrency: number;
  durationMs: number;
  maxOps?: number;
  warmupMs?: number;
  op: (index: number) => Promise<void>;
}): Promise<LoadResult> {
  if (options.warmupMs) {
    await runLoad({ concurrency: options.concurrency, durationMs: options.warmupMs, op: options.op });
  }
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const begin = performance.now();
  const deadline = begin + options.durationMs;
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (performance.now() < deadline && started < maxOps) {
      const index = started++;
      const t0 = performance.now();
      try {
        await options.op(index);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - begin) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    firstError,
  };
}

/** A keep-alive HTTP/1.1 JSON client: cheaper per request than fetch, so the generator is not the bottleneck. */
export class JsonClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* keep text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Resident set size of a process in bytes (Linux /proc), or undefined when it is gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}
