import { Injectable, Logger } from '@nestjs/common';
import { DomainError, EventPublisher, requestContext, RpcClient } from '#common';
import {
  AccountsEvents,
  AuthSubjects,
  MfaSubjects,
  normalizeUsername,
  type Actor,
  type GetManagedUserRequest,
  type ListUsersRequest,
  type ManagedUserView,
  type MfaStatus,
  type Page,
  type ResetUserMfaRequest,
} from '#contracts';
import { AccountAccess } from '../accounts/account-access.js';
import { AuditEventRepository } from '../audit/audit-event.repository.js';
import { MfaRequirementCache } from '../mfa-requirement/mfa-requirement.cache.js';
import { MfaStatusCache } from './mfa-status.cache.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserRepository } from '../users/user.repository.js';

const NOT_SET_UP: MfaStatus = { enrolled: false, methods: [], recoveryCodesRemaining: 0 };

export function toManagedUserView(user: Pick<UserEntity, 'id' | 'username' | 'email' | 'role'>, status: MfaStatus | undefined): ManagedUserView {
  const enrolled = status?.enrolled === true;
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    mfa: { status: enrolled ? 'enabled' : 'not_set_up', methods: enrolled ? [...status!.methods] : [] },
  };
}

/** Holders (and support) see their users' MFA status and reset it. */
@Injectable()
export class ManagedUsersUseCase {
  private readonly logger = new Logger(ManagedUsersUseCase.name);

  constructor(
    private readonly users: UserRepository,
    private readonly access: AccountAccess,
    private readonly audit: AuditEventRepository,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
    private readonly requirements: MfaRequirementCache,
    private readonly statuses: MfaStatusCache,
  ) {}

  async list(request: ListUsersRequest): Promise<Page<ManagedUserView>> {
    // Empty search means no search; otherwise the full username, NFC like it is stored.
    const username = request.username ? normalizeUsername(request.username) : undefined;
    const actor = request.actor as Actor;
    const skip = (request.page - 1) * request.pageSize;
    let page: { rows: Array<Pick<UserEntity, 'id' | 'username' | 'email' | 'role'>>; total: number };
    if (actor.type === 'user') {
      // The holder check and the page in one round trip; nothing of the page leaves unless the actor is
      // a holder of this very account (a member of another account is told it does not exist).
      const { actorRole, ...rest } = await this.users.pageOfAccountFor(actor.userId, request.accountId, username, skip, request.pageSize);
      AccountAccess.assertHolderRole(actorRole);
      page = rest;
    } else {
      const [, rest] = await Promise.all([this.access.assertCanManage(actor, request.accountId), this.users.pageOfAccount(request.accountId, username, skip, request.pageSize)]);
      page = rest;
    }
    const { rows, total } = page;
    // Statuses this replica knows (mfa signals every change before answering it); the rest in one round
    // trip to mfa for the whole page, never one per user.
    const statuses = await this.statuses.statusesOf(
      rows.map((user) => user.id),
      async (missing) => (await this.rpc.request(MfaSubjects.getStatusBatch, { userIds: missing })).statuses,
    );
    return { items: rows.map((user) => toManagedUserView(user, statuses[user.id])), total, page: request.page, pageSize: request.pageSize };
  }

  async get(request: GetManagedUserRequest): Promise<ManagedUserView> {
    const user = await this.findManageable(request.actor as Actor, request.userId, request.accountId);
    return toManagedUserView(user, await this.rpc.request(MfaSubjects.getStatus, { userId: user.id }));
  }

  /**
   * Removes every factor and recovery code, then every session, of one user. Both steps are idempotent,
   * so a retry after a partial failure finishes the job; the record is written once both succeeded.
   */
  async resetMfa(request: ResetUserMfaRequest): Promise<ManagedUserView> {
    const actor = request.actor as Actor;
    if (actor.type === 'support' && !request.reason?.trim()) {
      throw new DomainError('VALIDATION_FAILED', 'A reason is required.', { problems: ['reason: must not be empty'] });
    }
    const user = await this.findManageable(actor, request.userId, request.accountId);
    const { removed } = await this.rpc.request(MfaSubjects.reset, { userId: user.id, actor: request.actor });
    // This replica's answers change at once (mfa signalled every replica before it answered, too).
    this.requirements.forgetUser(user.id);
    this.statuses.forgetUser(user.id);
    const { revoked } = await this.rpc.request(AuthSubjects.revokeUserSessions, { userId: user.id, actor: request.actor });
    const ip = requestContext.current()?.ip;
    const at = new Date();
    await this.audit.insert({
      accountId: user.accountId,
      type: 'mfa.reset',
      actorType: actor.type,
      actorId: actor.type === 'user' ? actor.userId : actor.type === 'support' ? actor.keyId : null,
      targetUserId: user.id,
      ip: ip ?? null,
      occurredAt: at,
      details: { removed, sessionsRevoked: revoked, ...(request.reason ? { reason: request.reason } : {}) },
    });
    this.events.publishInBackground(AccountsEvents.userMfaReset, {
      userId: user.id,
      accountId: user.accountId,
      actor: request.actor,
      reason: request.reason,
      sessionsRevoked: revoked,
      ip,
      at: at.toISOString(),
    });
    return toManagedUserView(user, NOT_SET_UP);
  }

  /**
   * The user if the actor may manage them: support any active user; a holder only users of their own
   * account, and a user of another account answers exactly like one that does not exist.
   */
  private async findManageable(actor: Actor, userId: string, accountId: string | undefined): Promise<UserEntity> {
    if (actor.type === 'user') {
      if (!accountId) throw new DomainError('VALIDATION_FAILED', 'accountId is required.', { problems: ['accountId: required'] });
      await this.access.assertCanManage(actor, accountId);
    }
    const user = await this.users.findActive(userId);
    if (!user || (accountId !== undefined && user.accountId !== accountId)) throw new DomainError('USER_NOT_FOUND', 'No such user.');
    return user;
  }
}
