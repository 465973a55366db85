import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: this file runs as dist/scripts/lib/paths.js. */
export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Local state of `npm start` (git-ignored): embedded PostgreSQL and NATS data, secrets, demo credentials. */
export const STATE_DIR = join(ROOT_DIR, '.twofold');

export const statePath = (...parts: string[]) => join(STATE_DIR, ...parts);

export function ensureStateDir(): void {
  // 0755, not 0700: the embedded PostgreSQL runs as the `postgres` user when we are root and must
  // reach its data directory inside. The secret files themselves are 0600.
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o755 });
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes JSON readable by the owner only, atomically (never a half-written secrets file). */
export function writePrivateJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for printing. */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((part) => {
      try {
        const parsed = new URL(part.trim());
        if (parsed.password) parsed.password = '***';
        return parsed.toString();
      } catch {
        return part;
      }
    })
    .join(',');
}
