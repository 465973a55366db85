import type { FactHandler } from '#common';
import { AccountsEvents, MfaEvents, MfaSignals } from '#contracts';

/**
 * Every message that says "this user's MFA status changed", for the caches of accounts that hold
 * something derived from it: mfa's signal (sent before mfa answers the change), the facts of the same
 * changes, a holder's reset, and a spent recovery code (the last one takes `recovery_code` off the
 * methods). `forget` gets the user's id, or undefined when the message names none (forget everything).
 */
export function mfaStatusFacts(forget: (userId: string | undefined) => void): Record<string, FactHandler> {
  const forgetUserOf = (data: unknown) => {
    const userId = (data as { userId?: unknown } | undefined)?.userId;
    forget(typeof userId === 'string' ? userId : undefined);
  };
  return {
    [MfaSignals.statusChanged.name]: forgetUserOf,
    [MfaEvents.enrolled.name]: forgetUserOf,
    [MfaEvents.removed.name]: forgetUserOf,
    [MfaEvents.reset.name]: forgetUserOf,
    [MfaEvents.recoveryCodesRegenerated.name]: forgetUserOf,
    [AccountsEvents.userMfaReset.name]: forgetUserOf,
    [MfaEvents.verificationSucceeded.name]: (data) => {
      if ((data as { method?: unknown } | undefined)?.method === 'recovery_code') forgetUserOf(data);
    },
  };
}
