import { Injectable } from '@nestjs/common';
import type { MfaMethod, MfaStatus } from '#contracts';
import { FactorRepository } from '../factors/factor.repository.js';

/** "Is this user enrolled, with which methods": asked at every sign-in and for holders' user lists. */
@Injectable()
export class MfaStatusUseCase {
  constructor(private readonly factors: FactorRepository) {}

  async one(userId: string): Promise<MfaStatus> {
    return (await this.many([userId]))[userId]!;
  }

  async many(userIds: string[]): Promise<Record<string, MfaStatus>> {
    const unique = [...new Set(userIds)];
    // One query for factors and recovery codes together: asked at every sign-in and for every list page.
    const enrolment = await this.factors.enrolmentOf(unique);
    const statuses: Record<string, MfaStatus> = {};
    for (const userId of unique) {
      const factors = enrolment.get(userId)?.types;
      const isEnrolled = factors !== undefined && factors.size > 0;
      const left = isEnrolled ? (enrolment.get(userId)?.recoveryCodesLeft ?? 0) : 0;
      const methods: MfaMethod[] = [];
      if (factors?.has('totp')) methods.push('totp');
      if (factors?.has('email')) methods.push('email');
      if (isEnrolled && left > 0) methods.push('recovery_code');
      statuses[userId] = { enrolled: isEnrolled, methods, recoveryCodesRemaining: left };
    }
    return statuses;
  }
}
