import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, isUniqueViolation } from '#common';
import { queryRows } from '../database.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';
import { RESET_LOCKOUT_SQL } from '../verification/lockout.repository.js';
import { FactorEntity, type FactorType } from './factor.entity.js';
import type { SealedSecret } from './secret-box.js';

/** A row of mfa.factors as pg answers it. */
interface FactorRow {
  id: string | null;
  user_id: string;
  type: FactorType;
  status: FactorEntity['status'];
  secret_key_id: string | null;
  secret_iv: Buffer | null;
  secret_ciphertext: Buffer | null;
  secret_tag: Buffer | null;
  last_used_step: string | null;
  created_at: Date;
  confirmed_at: Date | null;
  expires_at: Date | null;
}

export function sealedOf(factor: FactorEntity): SealedSecret {
  if (!factor.secretKeyId || !factor.secretIv || !factor.secretCiphertext || !factor.secretTag) {
    throw new Error(`factor ${factor.id} has no sealed secret`);
  }
  return { keyId: factor.secretKeyId, iv: factor.secretIv, ciphertext: factor.secretCiphertext, tag: factor.secretTag };
}

@Injectable()
export class FactorRepository {
  constructor(
    @InjectRepository(FactorEntity) private readonly repo: Repository<FactorEntity>,
    private readonly recoveryCodes: RecoveryCodeRepository,
  ) {}

  findActiveTotp(userId: string): Promise<FactorEntity | null> {
    return this.repo.findOneBy({ userId, type: 'totp', status: 'active' });
  }

  findActive(userId: string, type: FactorType): Promise<FactorEntity | null> {
    return this.repo.findOneBy({ userId, type, status: 'active' });
  }

  /** The confirmed factor types of each user (users without any are absent). */
  /**
   * For each user: the types of their active factors and how many unused recovery codes they hold, in
   * one round trip (a user with neither answers no types and 0).
   */
  async enrolmentOf(userIds: string[]): Promise<Map<string, { types: Set<FactorType>; recoveryCodesLeft: number }>> {
    const result = new Map<string, { types: Set<FactorType>; recoveryCodesLeft: number }>();
    if (userIds.length === 0) return result;
    const rows = await queryRows<{ user_id: string; types: FactorType[]; left: number }>(
      this.repo.manager,
      `SELECT u.user_id,
              ARRAY(SELECT DISTINCT f.type FROM mfa.factors f WHERE f.user_id = u.user_id AND f.status = 'active') AS types,
              (SELECT count(*)::int FROM mfa.recovery_codes r WHERE r.user_id = u.user_id AND r.used_at IS NULL) AS left
         FROM unnest($1::uuid[]) AS u(user_id)`,
      [userIds],
    );
    for (const row of rows) result.set(row.user_id, { types: new Set(row.types), recoveryCodesLeft: row.left });
    return result;
  }

  async activeTypesOf(userIds: string[]): Promise<Map<string, Set<FactorType>>> {
    const types = new Map<string, Set<FactorType>>();
    if (userIds.length === 0) return types;
    const rows = await queryRows<{ user_id: string; type: FactorType }>(
      this.repo.manager,
      `SELECT user_id, type FROM mfa.factors WHERE user_id = ANY($1::uuid[]) AND status = 'active'`,
      [userIds],
    );
    for (const row of rows) types.set(row.user_id, (types.get(row.user_id) ?? new Set()).add(row.type));
    return types;
  }

  /**
   * Everything a code check needs to start, in one round trip: until when the user is locked at `now`
   * (null when not locked), and their active factors (secrets still sealed).
   */
  async verificationStateOf(userId: string, now: Date): Promise<{ lockedUntil: Date | null; factors: FactorEntity[] }> {
    const rows = await queryRows<FactorRow & { state_locked_until: Date | null }>(
      this.repo.manager,
      `SELECT (SELECT s.locked_until FROM mfa.user_state s WHERE s.user_id = $1 AND s.locked_until > $2) AS state_locked_until, f.*
         FROM (SELECT 1) AS one
         LEFT JOIN mfa.factors f ON f.user_id = $1 AND f.status = 'active'`,
      [userId, now],
    );
    return {
      lockedUntil: rows[0]?.state_locked_until ?? null,
      factors: rows.filter((row) => row.id !== null).map((row) => this.fromRow(row)),
    };
  }

  private fromRow(row: FactorRow): FactorEntity {
    return this.repo.create({
      id: row.id!,
      userId: row.user_id,
      type: row.type,
      status: row.status,
      secretKeyId: row.secret_key_id,
      secretIv: row.secret_iv,
      secretCiphertext: row.secret_ciphertext,
      secretTag: row.secret_tag,
      lastUsedStep: row.last_used_step,
      createdAt: row.created_at,
      confirmedAt: row.confirmed_at,
      expiresAt: row.expires_at,
    });
  }

  /** The unconfirmed setup of a factor type, unless it has expired. */
  findLivePending(userId: string, type: FactorType, now: Date): Promise<FactorEntity | null> {
    return this.repo
      .createQueryBuilder('f')
      .where(`f.user_id = :userId AND f.type = :type AND f.status = 'pending' AND f.expires_at > :now`, { userId, type, now })
      .getOne();
  }

  /** An email setup waiting for its code (no secret: the code is the proof); replaces an earlier one. */
  async replacePendingEmail(factor: { id: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.repo.query(
      `INSERT INTO mfa.factors (id, user_id, type, status, created_at, expires_at)
       VALUES ($1, $2, 'email', 'pending', $3, $4)
       ON CONFLICT (user_id, type) WHERE status = 'pending' DO UPDATE SET
         id = EXCLUDED.id, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [factor.id, factor.userId, factor.createdAt, factor.expiresAt],
    );
  }

  /**
   * Turns a live pending email setup into an active factor and gives the user a fresh set of recovery
   * codes: all or nothing. False when the setup expired or was replaced meanwhile.
   */
  async activateEmail(factorId: string, userId: string, now: Date, recoveryCodeHashes: string[]): Promise<boolean> {
    try {
      return await this.repo.manager.transaction(async (manager) => {
        const rows = await queryRows(
          manager,
          `UPDATE mfa.factors SET status = 'active', confirmed_at = $3, expires_at = NULL
            WHERE id = $1 AND user_id = $2 AND type = 'email' AND status = 'pending' AND expires_at > $3
            RETURNING id`,
          [factorId, userId, now],
        );
        if (rows.length !== 1) return false;
        await this.recoveryCodes.replace(userId, recoveryCodeHashes, now, manager);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'factors_one_active_per_type')) {
        throw new DomainError('MFA_ALREADY_ENABLED', 'Email codes are already set up for this user.');
      }
      throw err;
    }
  }

  async activeTotpUsers(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await queryRows<{ user_id: string }>(
      this.repo.manager,
      `SELECT user_id FROM mfa.factors WHERE user_id = ANY($1::uuid[]) AND type = 'totp' AND status = 'active'`,
      [userIds],
    );
    return new Set(rows.map((r) => r.user_id));
  }

  /** The unconfirmed TOTP setup of a user, unless it has expired. */
  findLivePendingTotp(userId: string, now: Date): Promise<FactorEntity | null> {
    return this.repo
      .createQueryBuilder('f')
      .where(`f.user_id = :userId AND f.type = 'totp' AND f.status = 'pending' AND f.expires_at > :now`, { userId, now })
      .getOne();
  }

  /** Stores a new unconfirmed setup; it replaces the user's previous one, atomically. */
  async replacePendingTotp(factor: { id: string; userId: string; sealed: SealedSecret; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.repo.query(
      `INSERT INTO mfa.factors (id, user_id, type, status, secret_key_id, secret_iv, secret_ciphertext, secret_tag, created_at, expires_at)
       VALUES ($1, $2, 'totp', 'pending', $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id, type) WHERE status = 'pending' DO UPDATE SET
         id = EXCLUDED.id, secret_key_id = EXCLUDED.secret_key_id, secret_iv = EXCLUDED.secret_iv,
         secret_ciphertext = EXCLUDED.secret_ciphertext, secret_tag = EXCLUDED.secret_tag,
         last_used_step = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [factor.id, factor.userId, factor.sealed.keyId, factor.sealed.iv, factor.sealed.ciphertext, factor.sealed.tag, factor.createdAt, factor.expiresAt],
    );
  }

  /**
   * Turns a live pending setup into the user's active factor, its confirming step already spent, and
   * gives the user a fresh set of recovery codes: all or nothing. Answers false when the setup expired
   * or was replaced meanwhile; MFA_ALREADY_ENABLED when another setup won the race.
   */
  async activateTotp(factorId: string, userId: string, step: number, now: Date, recoveryCodeHashes: string[]): Promise<boolean> {
    try {
      return await this.repo.manager.transaction(async (manager) => {
        const rows = await queryRows(
          manager,
          `UPDATE mfa.factors SET status = 'active', confirmed_at = $3, expires_at = NULL, last_used_step = $4
            WHERE id = $1 AND user_id = $2 AND status = 'pending' AND expires_at > $3
            RETURNING id`,
          [factorId, userId, now, step],
        );
        if (rows.length !== 1) return false;
        await this.recoveryCodes.replace(userId, recoveryCodeHashes, now, manager);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'factors_one_active_per_type')) {
        throw new DomainError('MFA_ALREADY_ENABLED', 'An authenticator app is already set up for this user.');
      }
      throw err;
    }
  }

  /**
   * The replay guard (RFC 6238 §5.2): claims a time step for the factor only if no equal or later step
   * was accepted before. One atomic UPDATE, so it holds under parallel requests on any replica.
   */
  async claimStep(factorId: string, step: number): Promise<boolean> {
    const rows = await queryRows(
      this.repo.manager,
      `UPDATE mfa.factors SET last_used_step = $2
        WHERE id = $1 AND status = 'active' AND (last_used_step IS NULL OR last_used_step < $2)
        RETURNING id`,
      [factorId, step],
    );
    return rows.length === 1;
  }

  /**
   * `claimStep`, and when the step is claimed, the lockout reset of a right code
   * (`LockoutRepository.recordSuccess`) in the same statement: one round trip, and the reset happens
   * only if this request won the step.
   */
  async claimStepAndResetLockout(factorId: string, userId: string, step: number, now: Date): Promise<boolean> {
    const rows = await queryRows<{ n: number }>(
      this.repo.manager,
      `WITH claimed AS (
         UPDATE mfa.factors SET last_used_step = $2
          WHERE id = $1 AND user_id = $3 AND status = 'active' AND (last_used_step IS NULL OR last_used_step < $2)
          RETURNING user_id
       ), reset AS (
         ${RESET_LOCKOUT_SQL}
       )
       SELECT count(*)::int AS n FROM claimed`,
      [factorId, step, userId, now],
    );
    return rows[0]!.n === 1;
  }

  /** Removes every factor (pending ones too) and recovery code of the user; answers how many factors went. */
  async removeAll(userId: string): Promise<{ factors: number; recoveryCodes: number }> {
    return this.repo.manager.transaction(async (manager) => {
      const factors = await queryRows(manager, `DELETE FROM mfa.factors WHERE user_id = $1 RETURNING id`, [userId]);
      const recoveryCodes = await this.recoveryCodes.deleteAll(userId, manager);
      return { factors: factors.length, recoveryCodes };
    });
  }

  /** Removes the active TOTP factor and the recovery codes; false when it was already gone. */
  async removeActiveTotp(factorId: string, userId: string): Promise<boolean> {
    return this.repo.manager.transaction(async (manager) => {
      const rows = await queryRows(manager, `DELETE FROM mfa.factors WHERE id = $1 AND user_id = $2 AND status = 'active' RETURNING id`, [factorId, userId]);
      if (rows.length !== 1) return false;
      await this.recoveryCodes.deleteAll(userId, manager);
      return true;
    });
  }

  // ---- re-encryption (npm run mfa:rekey) ----------------------------------------------------------

  async idsSealedUnderOtherKeys(currentKeyId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.repo.manager,
      `SELECT id FROM mfa.factors WHERE secret_key_id IS NOT NULL AND secret_key_id <> $1 ORDER BY created_at`,
      [currentKeyId],
    );
    return rows.map((r) => r.id);
  }

  /** Re-seals one factor's secret under a lock on its row, so a concurrent sign-in cannot interleave. */
  async reseal(factorId: string, reseal: (factor: FactorEntity) => SealedSecret | undefined): Promise<boolean> {
    return this.repo.manager.transaction(async (manager) => {
      const factor = await manager
        .getRepository(FactorEntity)
        .createQueryBuilder('f')
        .setLock('pessimistic_write')
        .where('f.id = :factorId', { factorId })
        .getOne();
      if (!factor) return false;
      const sealed = reseal(factor);
      if (!sealed) return false;
      await manager.query(
        `UPDATE mfa.factors SET secret_key_id = $2, secret_iv = $3, secret_ciphertext = $4, secret_tag = $5 WHERE id = $1`,
        [factorId, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
      );
      return true;
    });
  }
}
