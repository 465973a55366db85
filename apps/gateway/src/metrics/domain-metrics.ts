import { counter, labelOf, type EventCounterRule } from '#common';
import { AuthEvents, MFA_METHODS, MfaEvents } from '#contracts';

const LOGIN_FAILURE_REASONS = ['invalid_credentials', 'ip_not_allowed', 'mfa_failed', 'locked'] as const;
const MFA_FAILURE_REASONS = ['wrong_code', 'replayed', 'locked'] as const;

/**
 * Domain counters, fed by the events auth and mfa already publish (see `countDomainEvents`):
 * sign-in outcomes, MFA verifications by result, lockouts. Labels come from closed lists only.
 */
export function domainEventRules(): Record<string, EventCounterRule> {
  const signIns = counter('twofold_sign_ins_total', 'Sign-in outcomes: status succeeded or failed, with the reason of a failure.', [
    'status',
    'reason',
  ] as const);
  const verifications = counter('twofold_mfa_verifications_total', 'Second-factor checks by result, method and reason of a failure.', [
    'result',
    'method',
    'reason',
  ] as const);
  const lockouts = counter('twofold_mfa_lockouts_total', 'Users locked out after too many wrong codes.', [] as const);

  return {
    [AuthEvents.loginSucceeded.name]: () => signIns.inc({ status: 'succeeded', reason: 'none' }),
    [AuthEvents.loginFailed.name]: (event) => signIns.inc({ status: 'failed', reason: labelOf(event.reason, LOGIN_FAILURE_REASONS) }),
    [MfaEvents.verificationSucceeded.name]: (event) =>
      verifications.inc({ result: 'succeeded', method: labelOf(event.method, MFA_METHODS), reason: 'none' }),
    [MfaEvents.verificationFailed.name]: (event) =>
      verifications.inc({ result: 'failed', method: labelOf(event.method, MFA_METHODS), reason: labelOf(event.reason, MFA_FAILURE_REASONS) }),
    [MfaEvents.locked.name]: () => lockouts.inc(),
  };
}
