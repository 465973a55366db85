import type { Actor, FactorMethod } from '#contracts';

/**
 * Every mail Twofold sends, in plain text and HTML. The only secret a mail ever carries is an emailed
 * code; notifications say what happened, when and from where, never a code, secret or token.
 */
export interface RenderedMail {
  kind: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

const PRODUCT = 'Twofold';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function when(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function layout(kind: string, subject: string, paragraphs: string[], options: { code?: string } = {}): RenderedMail {
  const footer = `This message was sent by ${PRODUCT}, the multi-factor sign-in of your practice's software. You cannot reply to it.`;
  const text = [...paragraphs, '', `— ${PRODUCT}`, footer].join('\n\n').replace(/\n{3,}/g, '\n\n');
  const codeHtml = options.code
    ? `<p style="font-size:28px;font-weight:bold;letter-spacing:6px;font-family:monospace;margin:16px 0">${escapeHtml(options.code)}</p>`
    : '';
  const body = paragraphs
    .map((p) => (options.code && p === options.code ? codeHtml : `<p>${escapeHtml(p)}</p>`))
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1f2933;max-width:560px;margin:0 auto;padding:24px">
<p style="font-weight:bold;font-size:18px">${PRODUCT}</p>
${body}
<hr style="border:none;border-top:1px solid #d9dee3;margin:24px 0"><p style="color:#616e7c;font-size:12px">${escapeHtml(footer)}</p>
</body></html>`;
  return { kind, subject, text, html, headers: { 'X-Twofold-Kind': kind } };
}

export type CodePurpose = 'sign_in' | 'setup' | 'manage';

export function emailCodeMail(code: string, purpose: CodePurpose, ttlSeconds: number): RenderedMail {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const what = { sign_in: 'to finish signing in', setup: 'to turn on email codes for your sign-in', manage: 'to confirm a change to your multi-factor settings' }[purpose];
  return {
    ...layout(`code.${purpose}`, `Your ${PRODUCT} code`, [
      `Your ${PRODUCT} code ${what} is:`,
      code,
      `It works once, within ${minutes} minutes. Never share it: ${PRODUCT} and your practice will never ask you for it.`,
      'If you did not ask for this code, someone may know your password: change it, and tell an account holder of your practice.',
    ], { code }),
  };
}

function byWhom(actor: Actor | undefined, userId: string, actorName?: string): string {
  if (!actor) return 'by an administrator';
  if (actor.type === 'support') return `by ${PRODUCT} support`;
  if (actor.type === 'user' && actor.userId === userId) return 'by you';
  if (actor.type === 'user') return `by an account holder of your practice${actorName ? ` (${actorName})` : ''}`;
  return 'automatically';
}

const methodName = (method: FactorMethod) => (method === 'email' ? 'email codes' : 'an authenticator app');
const fromWhere = (ip?: string) => (ip ? ` from the address ${ip}` : '');
const notYou = 'If this was not you, contact an account holder of your practice right away.';

export function mfaEnabledMail(e: { method: FactorMethod; at: string; ip?: string }): RenderedMail {
  return layout('notice.enrolled', `Multi-factor sign-in is on for your ${PRODUCT} account`, [
    `Multi-factor authentication was turned on for your account on ${when(e.at)}${fromWhere(e.ip)}, with ${methodName(e.method)}.`,
    'From now on, signing in needs your password and a code. Keep your recovery codes somewhere safe.',
    notYou,
  ]);
}

export function mfaDisabledMail(e: { at: string; ip?: string }): RenderedMail {
  return layout('notice.removed', `Multi-factor sign-in was turned off for your ${PRODUCT} account`, [
    `Multi-factor authentication was turned off for your account on ${when(e.at)}${fromWhere(e.ip)}. Your recovery codes no longer work.`,
    'Your password alone now signs you in. You can turn it on again at any time.',
    notYou,
  ]);
}

export function mfaResetMail(e: { userId: string; actor?: Actor; actorName?: string; at: string }): RenderedMail {
  return layout('notice.reset', `Your ${PRODUCT} multi-factor sign-in was reset`, [
    `Your multi-factor authentication was reset ${byWhom(e.actor, e.userId, e.actorName)} on ${when(e.at)}. Every second factor and recovery code was removed, and you were signed out everywhere.`,
    'At your next sign-in you will set it up again if your practice requires it.',
    'If you did not expect this, contact an account holder of your practice.',
  ]);
}

export function mfaLockedMail(e: { lockedUntil: string; at: string; ip?: string }): RenderedMail {
  return layout('notice.locked', `Your ${PRODUCT} second factor is locked after too many wrong codes`, [
    `Too many wrong codes were entered for your account (the last on ${when(e.at)}${fromWhere(e.ip)}), so multi-factor sign-in is locked until ${when(e.lockedUntil)}.`,
    'Wrong codes need your password first: if you did not make these attempts, change your password now and tell an account holder of your practice.',
  ]);
}

export function recoveryCodesRegeneratedMail(e: { at: string; ip?: string }): RenderedMail {
  return layout('notice.recovery_codes', `New ${PRODUCT} recovery codes were created`, [
    `A new set of recovery codes was created for your account on ${when(e.at)}${fromWhere(e.ip)}. The previous codes no longer work.`,
    notYou,
  ]);
}
