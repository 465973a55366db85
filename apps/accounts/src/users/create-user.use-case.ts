import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher, RpcClient } from '#common';
import { AccountsEvents, AccountsSubjects, AuthSubjects, normalizeUsername, type Actor, type CreateUserRequest, type UserView } from '#contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../accounts.config.js';
import { AccountAccess } from '../accounts/account-access.js';
import { IdempotencyKeyRepository } from '../idempotency/idempotency-key.repository.js';
import { idempotencyScope, requestFingerprint } from '../idempotency/request-fingerprint.js';
import { assertSameRequest } from '../idempotency/same-request.js';
import { toUserView, UserRepository } from './user.repository.js';

const OPERATION = AccountsSubjects.createUser.name;

/** What finishing a keyed creation under the row lock came to. */
type Finished = { kind: 'done'; user: UserView; created: boolean } | { kind: 'refused'; error: unknown } | { kind: 'gone' };

/** No answer from auth: it may or may not have stored the credential. */
function isNoAnswer(err: unknown): boolean {
  return !(err instanceof DomainError) || err.code === 'SERVICE_TIMEOUT' || err.code === 'SERVICE_UNAVAILABLE';
}

/**
 * Creates a user across two services without ever leaving half of one:
 * 1. reserve the username with a `pending` membership row (invisible to everyone);
 * 2. have auth store the credential;
 * 3. activate the row.
 * If step 2 fails the row is removed; if the process dies between steps, the sweeper below compensates
 * (deletes the credential, then the row). A credential without an active membership can never sign in.
 *
 * With an idempotency key the request can be retried safely: the key is claimed with the pending row in
 * one transaction, and steps 2–3 run holding that row's lock. A retry of a completed creation answers the
 * stored result; a retry of one that died halfway (or whose answer was lost) resumes it with the same user
 * id — auth upserts the credential by user id — so the client's retry ends in exactly one user.
 */
@Injectable()
export class CreateUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly keys: IdempotencyKeyRepository,
    private readonly access: AccountAccess,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  async execute(request: CreateUserRequest): Promise<UserView> {
    await this.access.assertCanManage(request.actor as Actor, request.accountId);
    const username = normalizeUsername(request.username);
    return request.idempotencyKey === undefined ? this.createOnce(request, username) : this.createWithKey(request, username, request.idempotencyKey);
  }

  private async createOnce(request: CreateUserRequest, username: string): Promise<UserView> {
    const id = randomUUID();
    await this.users.insertPending({ id, accountId: request.accountId, username, email: request.email, role: request.role });
    try {
      await this.rpc.request(AuthSubjects.setCredential, { userId: id, username, password: request.password });
    } catch (err) {
      await this.users.deletePending(id);
      throw err;
    }
    const user = toUserView(await this.users.activate(id));
    this.published(user, request);
    return user;
  }

  private async createWithKey(request: CreateUserRequest, username: string, key: string): Promise<UserView> {
    const scope = idempotencyScope(request.actor as Actor);
    const fingerprint = requestFingerprint(OPERATION, [request.accountId, username, request.email, request.role]);
    // Again only when the creation was rolled back under us (the sweeper, or a twin auth refused).
    for (let attempt = 0; attempt < 3; attempt++) {
      let userId: string = randomUUID();
      const claim = await this.keys.claim(
        { actorScope: scope, key, operation: OPERATION, fingerprint, resourceId: userId, status: 'pending', response: null },
        (manager) => this.users.insertPending({ id: userId, accountId: request.accountId, username, email: request.email, role: request.role }, manager),
      );
      if (!claim.claimed) {
        assertSameRequest(claim.existing, OPERATION, fingerprint);
        if (claim.existing.status === 'completed') return claim.existing.response as UserView;
        userId = claim.existing.resourceId;
      }
      const finished = await this.finish(userId, scope, key, request.password);
      if (finished.kind === 'refused') throw finished.error;
      if (finished.kind === 'done') {
        if (finished.created) this.published(finished.user, request);
        return finished.user;
      }
    }
    throw new DomainError('SERVICE_UNAVAILABLE', 'The user could not be created right now; retry with the same Idempotency-Key.');
  }

  /** Steps 2–3 for a claimed key, under the pending row's lock: one request at a time, never the sweeper too. */
  private finish(userId: string, scope: string, key: string, password: string): Promise<Finished> {
    return this.users.withLocked(userId, this.config.RPC_TIMEOUT_MS, async (user, manager): Promise<Finished> => {
      if (!user) {
        await this.keys.deletePendingFor(userId, manager);
        return { kind: 'gone' };
      }
      if (user.status === 'active') {
        // A twin finished it while we waited for the lock: its stored answer is ours.
        const record = await this.keys.find(scope, key, manager);
        const stored = record?.resourceId === userId && record.status === 'completed' ? (record.response as UserView) : toUserView(user);
        return { kind: 'done', user: stored, created: false };
      }
      try {
        await this.rpc.request(AuthSubjects.setCredential, { userId, username: user.username, password });
      } catch (err) {
        // Unanswered, auth may hold the credential: keep the row and the key (the transaction rolls back),
        // for a retry to resume, or the sweeper to roll back both. Refused: roll back now.
        if (isNoAnswer(err)) throw err;
        await this.users.deletePending(userId, manager);
        await this.keys.deletePendingFor(userId, manager);
        return { kind: 'refused', error: err };
      }
      const view = toUserView(await this.users.activate(userId, manager));
      await this.keys.complete(scope, key, view, manager);
      return { kind: 'done', user: view, created: true };
    });
  }

  private published(user: UserView, request: CreateUserRequest): void {
    this.events.publishInBackground(AccountsEvents.userCreated, { user, actor: request.actor, at: new Date().toISOString() });
  }
}

/** Finishes what a crashed creation left: pending rows older than a few minutes are rolled back. */
@Injectable()
export class PendingUserSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PendingUserSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly users: UserRepository,
    private readonly keys: IdempotencyKeyRepository,
    private readonly rpc: RpcClient,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Each row is rolled back holding its lock, and skipped while a keyed retry holds it (that retry is
   * finishing the creation). Its idempotency key goes with it: the same key then starts afresh.
   */
  async sweep(olderThanMs = 5 * 60_000): Promise<number> {
    const before = new Date(Date.now() - olderThanMs);
    const stale = await this.users.findStalePending(before, 100).catch(() => []);
    let cleaned = 0;
    for (const user of stale) {
      try {
        const rolledBack = await this.users.withStalePendingLocked(user.id, before, async (manager) => {
          await this.rpc.request(AuthSubjects.deleteCredential, { userId: user.id });
          await this.users.deletePending(user.id, manager);
          await this.keys.deletePendingFor(user.id, manager);
        });
        if (rolledBack) cleaned++;
      } catch (err) {
        this.logger.warn({ userId: user.id, err: err instanceof Error ? err.message : String(err) }, 'pending user not cleaned yet');
      }
    }
    return cleaned;
  }
}
