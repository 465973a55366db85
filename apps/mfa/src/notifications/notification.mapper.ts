import type { Actor, FactorMethod } from '#contracts';
import { mfaDisabledMail, mfaEnabledMail, mfaLockedMail, mfaResetMail, recoveryCodesRegeneratedMail, type RenderedMail } from './templates.js';

/** A fact worth telling the user about, and how to tell it. */
export interface Notification {
  kind: string;
  userId: string;
  /** A holder who acted on the user: their username is looked up for the mail. */
  actorUserId?: string;
  render(actorName?: string): RenderedMail;
}

type Data = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actorOf(value: unknown): Actor | undefined {
  const a = value as Data | null;
  if (a?.type === 'support' && typeof a.keyId === 'string') return { type: 'support', keyId: a.keyId };
  if (a?.type === 'user' && typeof a.userId === 'string' && UUID.test(a.userId)) return { type: 'user', userId: a.userId };
  if (a?.type === 'system') return { type: 'system' };
  return undefined;
}

/** The notification for an event of the stream, or undefined for facts nobody is mailed about. */
export function notificationFor(subject: string, raw: unknown): Notification | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const data = raw as Data;
  const userId = str(data.userId);
  if (!userId || !UUID.test(userId)) return undefined;
  const at = str(data.at) ?? new Date().toISOString();
  const ip = str(data.ip);
  switch (subject) {
    case 'mfa.events.enrolled': {
      const method: FactorMethod = data.method === 'email' ? 'email' : 'totp';
      return { kind: 'enrolled', userId, render: () => mfaEnabledMail({ method, at, ip }) };
    }
    case 'mfa.events.removed':
      return { kind: 'removed', userId, render: () => mfaDisabledMail({ at, ip }) };
    case 'mfa.events.reset': {
      // A reset of a user who had nothing to remove (an idempotent retry) is not news.
      if (data.removed !== true) return undefined;
      const actor = actorOf(data.actor);
      return {
        kind: 'reset',
        userId,
        actorUserId: actor?.type === 'user' ? actor.userId : undefined,
        render: (actorName) => mfaResetMail({ userId, actor, actorName, at }),
      };
    }
    case 'mfa.events.locked':
      return { kind: 'locked', userId, render: () => mfaLockedMail({ lockedUntil: str(data.lockedUntil) ?? at, at, ip }) };
    case 'mfa.events.recovery_codes.regenerated':
      return { kind: 'recovery_codes', userId, render: () => recoveryCodesRegeneratedMail({ at, ip }) };
    default:
      return undefined;
  }
}
