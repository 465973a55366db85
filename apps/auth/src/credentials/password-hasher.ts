import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * A counting semaphore: at most `limit` holders at once, the others wait in arrival order. Waiting costs
 * a closure, not 19 MiB of argon2 memory.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never drops below the queue's demand.
      if (next) next();
      else this.active--;
    }
  }
}

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash = '';
  /**
   * Hashes at once, at most one per core: more cannot go faster, and each holds 19 MiB while it runs
   * (libuv's pool would otherwise run UV_THREADPOOL_SIZE of them, 4 by default).
   */
  private readonly slots = new Semaphore(Math.max(1, availableParallelism()));

  async onModuleInit(): Promise<void> {
    // Hashed once per process: verifying an unknown user against it costs the same as a real check.
    this.dummyHash = await this.slots.run(() => hash(randomBytes(32).toString('base64'), ARGON2_OPTIONS));
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password, ARGON2_OPTIONS));
  }

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    try {
      const ok = await this.slots.run(() => verify(passwordHash ?? this.dummyHash, password));
      return ok && passwordHash !== undefined;
    } catch {
      return false;
    }
  }
}
