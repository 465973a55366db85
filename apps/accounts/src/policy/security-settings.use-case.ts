import { Injectable, Logger } from '@nestjs/common';
import { DomainError, EventPublisher } from '#common';
import {
  AccountsEvents,
  parseSafelist,
  SafelistMatcher,
  type Actor,
  type GetSecuritySettingsRequest,
  type PolicyChangedEvent,
  type SecurityPolicyView,
  type SecuritySettingsView,
  type UpdateSecuritySettingsRequest,
} from '#contracts';
import { AccountAccess } from '../accounts/account-access.js';
import { AuditEventRepository } from '../audit/audit-event.repository.js';
import { MfaRequirementCache } from '../mfa-requirement/mfa-requirement.cache.js';
import type { SecurityPolicyEntity } from './security-policy.entity.js';
import { SecurityPolicyRepository } from './security-policy.repository.js';

export function toPolicyView(policy: SecurityPolicyEntity): SecurityPolicyView {
  return {
    accountId: policy.accountId,
    mfaRequired: policy.mfaRequired,
    allowEmailCodes: policy.allowEmailCodes,
    ipSafelist: policy.ipSafelist,
    version: policy.version,
    updatedAt: policy.updatedAt.toISOString(),
  };
}

export function toSettingsView(policy: SecurityPolicyEntity): SecuritySettingsView {
  return { mfaRequired: policy.mfaRequired, allowEmailCodes: policy.allowEmailCodes, ipSafelist: policy.ipSafelist };
}

/** What changed between two policies: the settings diff and the safelist diff (undefined if equal). */
export function diffPolicies(before: SecurityPolicyEntity, after: SecurityPolicyEntity): Pick<PolicyChangedEvent, 'changes' | 'safelist'> {
  const changes: PolicyChangedEvent['changes'] = {};
  if (before.mfaRequired !== after.mfaRequired) changes.mfaRequired = { from: before.mfaRequired, to: after.mfaRequired };
  if (before.allowEmailCodes !== after.allowEmailCodes) changes.allowEmailCodes = { from: before.allowEmailCodes, to: after.allowEmailCodes };
  const added = after.ipSafelist.filter((entry) => !before.ipSafelist.includes(entry));
  const removed = before.ipSafelist.filter((entry) => !after.ipSafelist.includes(entry));
  return { changes, safelist: added.length || removed.length ? { added, removed } : undefined };
}

function actorColumns(actor: Actor): { actorType: Actor['type']; actorId: string | null } {
  return { actorType: actor.type, actorId: actor.type === 'user' ? actor.userId : actor.type === 'support' ? actor.keyId : null };
}

/** Holders read and replace their account's security settings: MFA enforcement, email codes, IP safelist. */
@Injectable()
export class SecuritySettingsUseCase {
  private readonly logger = new Logger(SecuritySettingsUseCase.name);

  constructor(
    private readonly policies: SecurityPolicyRepository,
    private readonly access: AccountAccess,
    private readonly audit: AuditEventRepository,
    private readonly events: EventPublisher,
    private readonly requirements: MfaRequirementCache,
  ) {}

  async get(request: GetSecuritySettingsRequest): Promise<SecuritySettingsView> {
    await this.access.assertCanManage(request.actor as Actor, request.accountId);
    return toSettingsView(await this.policies.findByAccount(request.accountId));
  }

  async update(request: UpdateSecuritySettingsRequest): Promise<SecuritySettingsView> {
    const actor = request.actor as Actor;
    await this.access.assertCanManage(actor, request.accountId);
    const parsed = parseSafelist(request.ipSafelist);
    if (!parsed.ok) {
      throw new DomainError('VALIDATION_FAILED', `The IP safelist has ${parsed.problems.length} invalid entr${parsed.problems.length === 1 ? 'y' : 'ies'}.`, {
        problems: parsed.problems.map((p) => `ipSafelist[${p.index}]: ${JSON.stringify(p.entry)} ${p.problem}`),
        invalidEntries: parsed.problems,
      });
    }
    // A holder may not save a list that would refuse their own next request. Support is not subject
    // to account safelists, so it can always repair one.
    if (actor.type === 'user' && !new SafelistMatcher(parsed.entries).allows(request.actorIp)) {
      const where = request.actorIp ?? 'unknown';
      throw new DomainError(
        'SAFELIST_LOCKS_OUT_ACTOR',
        `This safelist would lock you out: your current address ${where} is not in it. Add ${where} (or a range containing it) first.`,
        { currentIp: request.actorIp ?? null },
      );
    }
    const next = { mfaRequired: request.mfaRequired, allowEmailCodes: request.allowEmailCodes, ipSafelist: parsed.entries };
    const at = new Date();
    let diff: Pick<PolicyChangedEvent, 'changes' | 'safelist'> | undefined;
    const { after } = await this.policies.replace(request.accountId, next, async (before, manager) => {
      diff = diffPolicies(before, { ...before, ...next });
      // The audit record commits with the change itself: no event can be lost between them.
      const common = { accountId: request.accountId, ...actorColumns(actor), targetUserId: null, ip: request.actorIp ?? null, occurredAt: at };
      if (Object.keys(diff.changes).length) await this.audit.insert({ ...common, type: 'settings.changed', details: { changes: diff.changes } }, manager);
      if (diff.safelist) await this.audit.insert({ ...common, type: 'safelist.changed', details: { ...diff.safelist, entries: next.ipSafelist } }, manager);
    });
    const event: PolicyChangedEvent = {
      accountId: request.accountId,
      policy: toPolicyView(after),
      ...diff!,
      actor: request.actor,
      ip: request.actorIp,
      at: at.toISOString(),
    };
    // This replica's answers change at once; other replicas' (and the gateways') caches listen for the
    // event, and expire on their own, so a lost event delays, never defeats, a change.
    this.requirements.forgetAccount(request.accountId);
    await this.events.publish(AccountsEvents.policyChanged, event).catch((err: unknown) => {
      this.logger.error({ accountId: request.accountId, err: err instanceof Error ? err.message : String(err) }, 'policy.changed not published');
    });
    return toSettingsView(after);
  }
}
