import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { LessThan, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { DomainError, isUniqueViolation } from '#common';
import type { UserView } from '#contracts';
import { UserEntity } from './user.entity.js';

export function toUserView(user: Pick<UserEntity, 'id' | 'username' | 'email' | 'role' | 'accountId'>): UserView {
  return { id: user.id, username: user.username, email: user.email, role: user.role, accountId: user.accountId };
}

const ACTIVE_MATCHING = `account_id = $1 AND status = 'active' AND ($2::text IS NULL OR username = $2)`;

/**
 * A holder's page of their account's users, in one statement: the actor's role in the account ($5, null
 * unless an active member of it), the total, and the page (as JSON arrays) by username in code-point order.
 * Parameters: account, exact username or null, limit, offset, actor. Exported for `npm run bench`, which
 * times this very statement as the baseline of the list.
 */
export const HOLDER_PAGE_SQL = `SELECT actor.role AS actor_role,
        (SELECT count(*)::int FROM accounts.users WHERE ${ACTIVE_MATCHING}) AS total,
        (SELECT coalesce(json_agg(json_build_array(p.id, p.username, p.email, p.role) ORDER BY p.username COLLATE "C", p.id), '[]'::json)
           FROM (SELECT id, username, email, role FROM accounts.users WHERE ${ACTIVE_MATCHING}
                  ORDER BY username COLLATE "C", id LIMIT $3 OFFSET $4) p) AS items
   FROM (SELECT 1) AS one
   LEFT JOIN accounts.users actor ON actor.id = $5 AND actor.account_id = $1 AND actor.status = 'active'`;

@Injectable()
export class UserRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  private on(manager?: EntityManager): Repository<UserEntity> {
    return manager ? manager.getRepository(UserEntity) : this.repo;
  }

  /** Reserves the username with a `pending` row; a taken name is a clean conflict, even when raced. */
  async insertPending(user: Pick<UserEntity, 'id' | 'accountId' | 'username' | 'email' | 'role'>, manager?: EntityManager): Promise<void> {
    try {
      await this.on(manager).insert({ ...user, status: 'pending' });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('USERNAME_TAKEN', 'That username is already taken.');
      throw err;
    }
  }

  async activate(id: string, manager?: EntityManager): Promise<UserEntity> {
    await this.on(manager).update({ id, status: 'pending' }, { status: 'active' });
    return this.on(manager).findOneByOrFail({ id, status: 'active' });
  }

  async deletePending(id: string, manager?: EntityManager): Promise<void> {
    await this.on(manager).delete({ id, status: 'pending' });
  }

  /**
   * Runs `work` in a transaction holding the user's row locked FOR UPDATE (`null` when there is no such
   * row), so a creation is resumed by one request at a time and the sweeper leaves it alone meanwhile.
   * Waits at most `lockTimeoutMs` for the lock, then answers CONFLICT: another request still holds it.
   */
  withLocked<T>(id: string, lockTimeoutMs: number, work: (user: UserEntity | null, manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource
      .transaction(async (manager) => {
        await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.round(lockTimeoutMs))}ms`]);
        const user = await manager.getRepository(UserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        return work(user, manager);
      })
      .catch((err: unknown) => {
        if (isLockNotAvailable(err)) throw new DomainError('CONFLICT', 'This user is being created by another request right now; retry shortly.');
        throw err;
      });
  }

  /**
   * Runs `work` in a transaction holding a stale pending row locked, unless another transaction holds it
   * (`SKIP LOCKED`: a retry is resuming that creation) or it is no longer stale and pending. Answers
   * whether `work` ran.
   */
  withStalePendingLocked(id: string, before: Date, work: (manager: EntityManager) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `SELECT id FROM accounts.users WHERE id = $1 AND status = 'pending' AND created_at < $2 FOR UPDATE SKIP LOCKED`,
        [id, before],
      );
      if (rows.length === 0) return false;
      await work(manager);
      return true;
    });
  }

  findActive(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id, status: 'active' });
  }

  /**
   * One page of an account's active users, by username in code-point order (`COLLATE "C"`: the same
   * order on every deployment, whatever the database's locale). `username`, when given, is compared
   * with `=`: a full, exact match, where `%`, `_` and `\` are plain characters, never wildcards.
   */
  async pageOfAccount(accountId: string, username: string | undefined, skip: number, take: number): Promise<{ rows: UserEntity[]; total: number }> {
    const where = `account_id = $1 AND status = 'active' AND ($2::text IS NULL OR username = $2)`;
    const [rows, counted] = await Promise.all([
      this.repo.query(
        `SELECT id, account_id, username, email, role, status, created_at FROM accounts.users
          WHERE ${where} ORDER BY username COLLATE "C", id LIMIT $3 OFFSET $4`,
        [accountId, username ?? null, take, skip],
      ) as Promise<Array<Record<string, unknown>>>,
      this.repo.query(`SELECT count(*)::int AS total FROM accounts.users WHERE ${where}`, [accountId, username ?? null]) as Promise<Array<{ total: number }>>,
    ]);
    const users = rows.map((row) =>
      this.repo.create({
        id: row.id as string,
        accountId: row.account_id as string,
        username: row.username as string,
        email: row.email as string,
        role: row.role as UserEntity['role'],
        status: row.status as UserEntity['status'],
        createdAt: row.created_at as Date,
      }),
    );
    return { rows: users, total: counted[0]?.total ?? 0 };
  }

  /**
   * The page of `pageOfAccount` for a user acting on an account, with that user's role in it, in one
   * round trip: `actorRole` is null unless the actor is an active member of this very account. The caller
   * decides from the role whether the page may leave (holders only).
   */
  async pageOfAccountFor(
    actorUserId: string,
    accountId: string,
    username: string | undefined,
    skip: number,
    take: number,
  ): Promise<{ actorRole: UserEntity['role'] | null; rows: Array<Pick<UserEntity, 'id' | 'accountId' | 'username' | 'email' | 'role'>>; total: number }> {
    const result = (await this.repo.query(
      HOLDER_PAGE_SQL,
      [accountId, username ?? null, take, skip, actorUserId],
    )) as Array<{ actor_role: UserEntity['role'] | null; total: number; items: Array<[string, string, string, UserEntity['role']]> }>;
    const row = result[0]!;
    return {
      actorRole: row.actor_role,
      total: row.total,
      rows: row.items.map(([id, name, email, role]) => ({ id, accountId, username: name, email, role })),
    };
  }

  /** Pending rows older than `before`: creations that died halfway, to be compensated. */
  findStalePending(before: Date, limit: number): Promise<UserEntity[]> {
    return this.repo.find({ where: { status: 'pending', createdAt: LessThan(before) }, take: limit });
  }
}

/** PostgreSQL's lock_not_available (55P03): `lock_timeout` ran out. */
function isLockNotAvailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return (e?.driverError?.code ?? e?.code) === '55P03';
}
