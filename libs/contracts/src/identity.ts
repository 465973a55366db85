import { IsIn, IsString, IsUUID, Length, ValidateIf } from 'class-validator';

/**
 * Shared field rules, used at the gateway and again by each service on its NATS payloads.
 * Usernames: any printable characters (accents, punctuation, any script), stored NFC-normalised,
 * matched exactly. Control, private-use, unassigned and bidi-override characters are refused because
 * they make two different names look alike in a holder's user list.
 */
export const USERNAME_MAX = 128;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const FORBIDDEN_IN_USERNAME = /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069\uFEFF]/u;

export function normalizeUsername(value: string): string {
  return value.normalize('NFC');
}

/** Returns the problem with a username, or undefined when it is acceptable. */
export function usernameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const normalized = normalizeUsername(value);
  const length = [...normalized].length;
  if (length < 1 || length > USERNAME_MAX) return `must be 1 to ${USERNAME_MAX} characters`;
  if (FORBIDDEN_IN_USERNAME.test(normalized)) return 'must contain printable characters only';
  if (normalized.trim() !== normalized) return 'must not start or end with white space';
  return undefined;
}

export const ROLES = ['holder', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting, as established by the gateway: a signed-in user or a support API key. */
export type Actor = { type: 'user'; userId: string } | { type: 'support'; keyId: string } | { type: 'system' };

export class ActorDto {
  @IsIn(['user', 'support', 'system'])
  type!: Actor['type'];

  @ValidateIf((o: ActorDto) => o.type === 'user')
  @IsUUID()
  userId?: string;

  @ValidateIf((o: ActorDto) => o.type === 'support')
  @IsString()
  @Length(1, 64)
  keyId?: string;
}

export type AuthenticationMethod = 'pwd' | 'otp' | 'mfa' | 'email';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): 1 to 255 printable ASCII characters,
 * taken verbatim. Scoped to the caller (a support key or a holder), so two callers' keys never collide.
 */
export const IDEMPOTENCY_KEY_MAX = 255;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** Returns the problem with an idempotency key, or undefined when it is acceptable. */
export function idempotencyKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) return `must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters`;
  return undefined;
}
