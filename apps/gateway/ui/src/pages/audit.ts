/** Audit Log (holders): the account's security events, newest first, paginated. */
import { api, type AuditEvent } from '../api.js';
import { formatTime, h, uid } from '../dom.js';
import { href, type PageContext } from '../router.js';
import { practiceTabs } from './practice-tabs.js';

const PAGE_SIZE = 20;

function pick(event: AuditEvent, ...keys: string[]): unknown {
  for (const key of keys) if (event[key] !== undefined && event[key] !== null) return event[key];
  return undefined;
}

/** "mfa.totp.enrolled" / "MFA_RESET" → "MFA totp enrolled" / "MFA reset". */
export function eventName(value: unknown): string {
  if (typeof value !== 'string' || !value) return 'Event';
  const words = value
    .replace(/^[a-z]+\.events\./, '')
    .split(/[._\s-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  const text = words.map((w) => (['mfa', 'ip', 'totp'].includes(w) ? w.toUpperCase() : w)).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An actor or target object as words: a username if given, else the kind and a short id. */
export function party(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  const name = record.username ?? record.name ?? record.label;
  const type = typeof record.type === 'string' ? record.type : undefined;
  const id = record.userId ?? record.keyId ?? record.id;
  const kind = type === 'support' ? 'Support' : type === 'system' ? 'System' : type === 'user' ? 'User' : (type ?? '');
  if (typeof name === 'string' && name) return kind && kind !== 'User' ? `${kind}: ${name}` : name;
  if (type === 'system') return 'System';
  return [kind, typeof id === 'string' ? id.slice(0, 8) : undefined].filter(Boolean).join(' ') || '—';
}

const AMR_NAMES: Record<string, string> = { pwd: 'password', otp: 'one-time code', email: 'email code', recovery_code: 'recovery code' };
const METHOD_NAMES: Record<string, string> = { totp: 'authenticator app', recovery_code: 'recovery code', email: 'email code' };
const REASONS: Record<string, string> = { invalid_credentials: 'wrong username or password' };
const SETTING_NAMES: Record<string, string> = { mfaRequired: 'MFA required', allowEmailCodes: 'Email codes allowed' };

/** An event's details as a short line: setting changes, safelist additions and removals, simple facts. */
export function summarizeDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  const record = details as Record<string, unknown>;
  const parts: string[] = [];
  const changes = record.changes as Record<string, { from?: unknown; to?: unknown }> | undefined;
  if (changes && typeof changes === 'object') {
    for (const [key, change] of Object.entries(changes)) {
      const show = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : String(v));
      parts.push(`${SETTING_NAMES[key] ?? key}: ${show(change?.from)} → ${show(change?.to)}`);
    }
  }
  for (const key of ['added', 'removed'] as const) {
    const list = record[key];
    if (Array.isArray(list) && list.length) parts.push(`${key === 'added' ? 'Added' : 'Removed'} ${list.join(', ')}`);
  }
  const amr = record.amr;
  if (Array.isArray(amr)) {
    const names = amr.filter((m) => m !== 'mfa').map((m) => AMR_NAMES[String(m)] ?? String(m));
    if (names.length) parts.push(`Signed in with ${names.join(' + ')}`);
  }
  if (typeof record.method === 'string') parts.push(`Method: ${METHOD_NAMES[record.method] ?? record.method}`);
  if (typeof record.reason === 'string') parts.push(`Reason: ${REASONS[record.reason] ?? record.reason.replace(/_/g, ' ')}`);
  for (const [key, value] of Object.entries(record)) {
    // Ids of sessions and challenges mean nothing to a person; the rest is already said above.
    if (['changes', 'added', 'removed', 'entries', 'amr', 'method', 'reason', 'sessionId', 'challengeId', 'requestId'].includes(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') parts.push(`${key}: ${String(value)}`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) parts.push(`${key}: ${value.join(', ')}`);
  }
  return parts.join('; ');
}

export async function auditPage(ctx: PageContext): Promise<HTMLElement> {
  ctx.setTitle('Audit Log');
  const accountId = ctx.me!.accountId;
  const requested = Number(ctx.query.get('page'));
  const page = Number.isInteger(requested) && requested > 0 ? requested : 1;
  const result = await api.auditEvents(accountId, page, PAGE_SIZE);
  const pageSize = result.pageSize || PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(result.total / pageSize));
  const current = result.page || page;

  // Events carry user ids; show usernames (a holder may read any user of the account).
  const ids = new Set<string>();
  for (const event of result.items) {
    const actor = event.actor as { userId?: unknown } | null | undefined;
    if (typeof actor?.userId === 'string') ids.add(actor.userId);
    if (typeof event.targetUserId === 'string') ids.add(event.targetUserId);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...ids].map((id) =>
      api.user(accountId, id).then(
        (user) => names.set(id, user.username),
        () => undefined,
      ),
    ),
  );
  const named = (value: unknown): unknown => {
    if (typeof value === 'string') return names.get(value) ?? value;
    const record = value as { userId?: unknown } | null | undefined;
    if (record && typeof record.userId === 'string' && names.has(record.userId)) return { ...record, username: names.get(record.userId) };
    return value;
  };

  const rows = result.items.map((event) => {
    const time = pick(event, 'at', 'occurredAt', 'createdAt', 'time', 'timestamp');
    const actor = named(pick(event, 'actorUsername', 'actor'));
    const target = named(pick(event, 'targetUsername', 'target', 'targetUserId', 'subject'));
    const outcome = pick(event, 'outcome', 'result');
    return h(
      'tr',
      null,
      h('td', null, typeof time === 'string' ? h('time', { datetime: time }, formatTime(time)) : '—'),
      h('th', { scope: 'row' }, eventName(pick(event, 'type', 'event', 'action', 'name')), typeof outcome === 'string' ? h('span', { class: 'muted' }, ` (${outcome})`) : null),
      h('td', null, party(actor)),
      h('td', null, party(target)),
      h('td', null, h('code', null, String(pick(event, 'ip', 'clientIp', 'sourceIp') ?? '—'))),
      h('td', { class: 'event-details' }, summarizeDetails(event.details) || '—'),
    );
  });

  const headingId = uid('audit');
  return h(
    'div',
    { class: 'page' },
    h('h1', null, 'Audit Log'),
    practiceTabs('/practice/audit'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Security events'),
      h('p', { class: 'summary', role: 'status' }, result.total === 0 ? 'No security events yet.' : `Showing ${result.items.length} of ${result.total} events, newest first`),
      rows.length
        ? h(
            'div',
            { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Security events table' },
            h(
              'table',
              { class: 'table' },
              h('caption', { class: 'visually-hidden' }, `Security events, page ${current} of ${pages}`),
              h(
                'thead',
                null,
                h('tr', null, ...['Time', 'Event', 'Actor', 'Target', 'IP address', 'Details'].map((label) => h('th', { scope: 'col' }, label))),
              ),
              h('tbody', null, rows),
            ),
          )
        : null,
      pages > 1
        ? h(
            'nav',
            { class: 'pager', 'aria-label': 'Pages of events' },
            current > 1 ? h('a', { href: href('/practice/audit', { page: current - 1 }), rel: 'prev' }, '‹ Newer') : h('span', { class: 'disabled', 'aria-hidden': 'true' }, '‹ Newer'),
            h('span', { 'aria-current': 'page' }, `Page ${current} of ${pages}`),
            current < pages ? h('a', { href: href('/practice/audit', { page: current + 1 }), rel: 'next' }, 'Older ›') : h('span', { class: 'disabled', 'aria-hidden': 'true' }, 'Older ›'),
          )
        : null,
    ),
  );
}
