import { Injectable } from '@nestjs/common';
import type { MfaMethod, MfaStatus } from '#contracts';
import { FactorRepository } from '../factors/factor.repository.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';

/** "Is this user enrolled, with which methods": asked at every sign-in and for holders' user lists. */
@Injectable()
export class MfaStatusUseCase {
  constructor(
    private readonly factors: FactorRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
  ) {}

  async one(userId: string): Promise<MfaStatus> {
    return (await this.many([userId]))[userId]!;
  }

  async many(userIds: string[]): Promise<Record<string, MfaStatus>> {
    const unique = [...new Set(userIds)];
    const [types, remaining] = await Promise.all([this.factors.activeTypesOf(unique), this.recoveryCodes.countRemainingOf(unique)]);
    const statuses: Record<string, MfaStatus> = {};
    for (const userId of unique) {
      const factors = types.get(userId);
      const isEnrolled = factors !== undefined && factors.size > 0;
      const left = isEnrolled ? (remaining.get(userId) ?? 0) : 0;
      const methods: MfaMethod[] = [];
      if (factors?.has('totp')) methods.push('totp');
      if (factors?.has('email')) methods.push('email');
      if (isEnrolled && left > 0) methods.push('recovery_code');
      statuses[userId] = { enrolled: isEnrolled, methods, recoveryCodesRemaining: left };
    }
    return statuses;
  }
}
