import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher, RpcClient } from '#common';
import { AccountsEvents, AuthSubjects, normalizeUsername, type CreateUserRequest, type UserView } from '#contracts';
import { AccountAccess } from '../accounts/account-access.js';
import { toUserView, UserRepository } from './user.repository.js';

/**
 * Creates a user across two services without ever leaving half of one:
 * 1. reserve the username with a `pending` membership row (invisible to everyone);
 * 2. have auth store the credential;
 * 3. activate the row.
 * If step 2 fails the row is removed; if the process dies between steps, the sweeper below compensates
 * (deletes the credential, then the row). A credential without an active membership can never sign in.
 */
@Injectable()
export class CreateUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly access: AccountAccess,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
  ) {}

  async execute(request: CreateUserRequest): Promise<UserView> {
    await this.access.assertCanManage(request.actor as never, request.accountId);
    const id = randomUUID();
    const username = normalizeUsername(request.username);
    await this.users.insertPending({ id, accountId: request.accountId, username, email: request.email, role: request.role });
    try {
      await this.rpc.request(AuthSubjects.setCredential, { userId: id, username, password: request.password });
    } catch (err) {
      await this.users.deletePending(id);
      if (err instanceof DomainError && err.code === 'USERNAME_TAKEN') throw err;
      throw err;
    }
    const user = toUserView(await this.users.activate(id));
    this.events.publishInBackground(AccountsEvents.userCreated, { user, actor: request.actor, at: new Date().toISOString() });
    return user;
  }
}

/** Finishes what a crashed creation left: pending rows older than a few minutes are rolled back. */
@Injectable()
export class PendingUserSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PendingUserSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly users: UserRepository,
    private readonly rpc: RpcClient,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(olderThanMs = 5 * 60_000): Promise<number> {
    const stale = await this.users.findStalePending(new Date(Date.now() - olderThanMs), 100).catch(() => []);
    let cleaned = 0;
    for (const user of stale) {
      try {
        await this.rpc.request(AuthSubjects.deleteCredential, { userId: user.id });
        await this.users.deletePending(user.id);
        cleaned++;
      } catch (err) {
        this.logger.warn({ userId: user.id, err: err instanceof Error ? err.message : String(err) }, 'pending user not cleaned yet');
      }
    }
    return cleaned;
  }
}
