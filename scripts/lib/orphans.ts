import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJson, statePath, writePrivateJson } from './paths.js';

/**
 * `npm start` records its own pid and its children's in .twofold/run.json. The children run in
 * process groups of their own (so Ctrl-C reaches only the supervisor, which stops them in order);
 * if the supervisor is ever killed outright, the next start finds them here and stops them.
 */
const RUN_FILE = statePath('run.json');

interface RunRecord {
  supervisor: number;
  children: { name: string; pid: number; group: boolean; match: string }[];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Stops a process (or its group) if it still runs the command we expect; SIGKILL after `graceMs`. */
export async function stopStray(pid: number, match: string, group: boolean, graceMs = 10_000): Promise<boolean> {
  if (!isAlive(pid) || (match && !commandLine(pid).includes(match))) return false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(group ? -pid : pid, sig);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
  return true;
}

/** Refuses a second `npm start` on the same state; reaps what a killed one left behind. */
export async function claimRun(): Promise<void> {
  const previous = readJson<RunRecord>(RUN_FILE);
  if (previous && previous.supervisor !== process.pid && isAlive(previous.supervisor) && commandLine(previous.supervisor).includes('start.js')) {
    throw new Error(`Twofold is already running from this directory (npm start, pid ${previous.supervisor}). Stop it first.`);
  }
  for (const child of previous?.children ?? []) {
    if (await stopStray(child.pid, child.match, child.group)) {
      process.stdout.write(`twofold stopped ${child.name} (pid ${child.pid}) left running by an earlier start\n`);
    }
  }
  writePrivateJson(RUN_FILE, { supervisor: process.pid, children: [] } satisfies RunRecord);
}

export function recordChildren(children: RunRecord['children']): void {
  writePrivateJson(RUN_FILE, { supervisor: process.pid, children } satisfies RunRecord);
}

export function releaseRun(): void {
  const current = readJson<RunRecord>(RUN_FILE);
  if (current?.supervisor === process.pid && existsSync(RUN_FILE)) rmSync(RUN_FILE, { force: true });
}
