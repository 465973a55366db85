import type { AuditRecord } from './audit-event.repository.js';

/**
 * Turns a fact published by another service into an audit record, or null for facts the log does not
 * keep. Pure, so every mapping is unit-tested. Defensive: events come from other services, and a
 * malformed one must become a skipped message, never a poison message retried forever.
 *
 * Not mapped here on purpose: `accounts.events.*` (accounts writes those records itself, in the
 * transaction that makes the change) and `mfa.events.reset` (every reset goes through accounts, whose
 * own record carries the holder or support key and the reason).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TYPES: Record<string, string> = {
  'auth.events.login.succeeded': 'login.succeeded',
  'auth.events.login.failed': 'login.failed',
  'auth.events.logout': 'logout',
  'mfa.events.enrolled': 'mfa.enrolled',
  'mfa.events.removed': 'mfa.removed',
  'mfa.events.recovery_codes.regenerated': 'mfa.recovery_codes.regenerated',
  'mfa.events.locked': 'mfa.locked',
  'mfa.events.verification.succeeded': 'mfa.verification.succeeded',
  'mfa.events.verification.failed': 'mfa.verification.failed',
};

/** Fields that become columns; everything else harmless is kept as details. */
const COLUMNS = new Set(['userId', 'accountId', 'actor', 'ip', 'at']);
/** Never copied into details, whatever a publisher puts in an event by mistake. */
const SECRET_KEYS = /secret|code|token|password|hash|key$/i;

function uuidOrNull(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

function shortText(value: unknown, max = 256): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;
}

export function toAuditRecord(subject: string, data: unknown, publishedAt: Date): AuditRecord | null {
  const type = TYPES[subject];
  if (!type || typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const event = data as Record<string, unknown>;
  const userId = uuidOrNull(event.userId);

  let actorType: AuditRecord['actorType'] = null;
  let actorId: string | null = null;
  const actor = event.actor as Record<string, unknown> | undefined;
  if (actor && typeof actor === 'object' && ['user', 'support', 'system'].includes(actor.type as string)) {
    actorType = actor.type as AuditRecord['actorType'];
    actorId = actorType === 'user' ? uuidOrNull(actor.userId) : actorType === 'support' ? shortText(actor.keyId, 64) : null;
  } else if (userId) {
    // Facts about a user's own sign-in or factors: the user is the actor.
    actorType = 'user';
    actorId = userId;
  }

  const at = typeof event.at === 'string' ? new Date(event.at) : undefined;
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (COLUMNS.has(key) || SECRET_KEYS.test(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value)) {
      details[key] = typeof value === 'string' ? value.slice(0, 256) : value;
    }
  }

  return {
    type,
    accountId: uuidOrNull(event.accountId),
    actorType,
    actorId,
    targetUserId: userId,
    ip: shortText(event.ip, 64),
    occurredAt: at && !Number.isNaN(at.getTime()) ? at : publishedAt,
    details,
  };
}
