import { Type } from 'class-transformer';
import {
  IsDefined,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  isUUID,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DomainError, event, rpc } from '#common';
import { ActorDto, PASSWORD_MAX, PASSWORD_MIN, ROLES, USERNAME_MAX, type Role } from './identity.js';
import { SAFELIST_ENTRY_MAX_LENGTH, SAFELIST_MAX_ENTRIES } from './ip-safelist.js';
import { IsIdempotencyKey, IsUsername } from './validators.js';

export const ACCOUNT_NAME_MAX = 200;
export const EMAIL_MAX = 254;

export class CreateAccountRequest {
  @IsString()
  @Length(1, ACCOUNT_NAME_MAX)
  name!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;

  /** The caller's `Idempotency-Key`: a retry with the same key and request answers the first result. */
  @IsOptional()
  @IsIdempotencyKey()
  idempotencyKey?: string;
}

export interface AccountView {
  id: string;
  name: string;
}

export class CreateUserRequest {
  @IsUUID()
  accountId!: string;

  @IsUsername()
  username!: string;

  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @IsEmail()
  @MaxLength(EMAIL_MAX)
  email!: string;

  @IsIn(ROLES)
  role!: Role;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;

  /** The caller's `Idempotency-Key`: a retry with the same key and request answers the first result. */
  @IsOptional()
  @IsIdempotencyKey()
  idempotencyKey?: string;
}

export interface UserView {
  id: string;
  username: string;
  email: string;
  role: Role;
  accountId: string;
}

export class GetUserRequest {
  @IsUUID()
  userId!: string;
}

export interface UserCreatedEvent {
  user: UserView;
  actor: ActorDto;
  at: string;
}

export interface AccountCreatedEvent {
  account: AccountView;
  actor: ActorDto;
  at: string;
}

// ---- security policy ------------------------------------------------------------------------------

/** The security policy of an account, as stored (safelist in normal form, see `ip-safelist.ts`). */
export interface SecurityPolicyView {
  accountId: string;
  mfaRequired: boolean;
  allowEmailCodes: boolean;
  ipSafelist: string[];
  /** Bumped on every change; caches keep the highest they have seen. */
  version: number;
  updatedAt: string;
}

/** What sign-in needs after the password, in one answer: the active user and their account's policy. */
export interface SignInContext {
  user: UserView;
  policy: SecurityPolicyView;
}

/** Internal read of a policy (gateway cache, mfa, auth): no actor, no access check. */
export class GetPolicyRequest {
  @IsUUID()
  accountId!: string;
}

export class GetSecuritySettingsRequest {
  @IsUUID()
  accountId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export class UpdateSecuritySettingsRequest {
  @IsUUID()
  accountId!: string;

  @IsBoolean()
  mfaRequired!: boolean;

  @IsBoolean()
  allowEmailCodes!: boolean;

  /** Raw entries; the service normalises them and names every invalid one. */
  @IsArray()
  @ArrayMaxSize(SAFELIST_MAX_ENTRIES)
  @IsString({ each: true })
  @MaxLength(SAFELIST_ENTRY_MAX_LENGTH * 2, { each: true })
  ipSafelist!: string[];

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;

  /** Where the actor is now, as resolved by the gateway: a list that excludes it is refused. */
  @IsOptional()
  @IsIP()
  actorIp?: string;
}

export interface SecuritySettingsView {
  mfaRequired: boolean;
  allowEmailCodes: boolean;
  ipSafelist: string[];
}

export interface PolicyChangedEvent {
  accountId: string;
  policy: SecurityPolicyView;
  /** What changed, for the audit log: only the fields that changed are present. */
  changes: {
    mfaRequired?: { from: boolean; to: boolean };
    allowEmailCodes?: { from: boolean; to: boolean };
  };
  /** The safelist difference; `undefined` when the safelist did not change. */
  safelist?: { added: string[]; removed: string[] };
  actor: ActorDto;
  ip?: string;
  at: string;
}

// ---- users' MFA, for holders and support --------------------------------------------------------------

export const PAGE_SIZE_MAX = 100;
export const PAGE_MAX = 1_000_000;

export type ManagedMfaStatus = 'enabled' | 'not_set_up';

export interface ManagedUserView {
  id: string;
  username: string;
  email: string;
  role: Role;
  mfa: { status: ManagedMfaStatus; methods: string[] };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A page of something an actor may read: the fields every paged list request shares. */
export abstract class PagedRequest {
  @IsInt()
  @Min(1)
  @Max(PAGE_MAX)
  page!: number;

  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  pageSize!: number;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export class ListUsersRequest extends PagedRequest {
  @IsUUID()
  accountId!: string;

  /** Full, exact username (compared after NFC); absent lists everyone. */
  @IsOptional()
  @IsString()
  @Length(1, USERNAME_MAX * 4)
  username?: string;
}

export class GetManagedUserRequest {
  @IsUUID()
  accountId!: string;

  @IsUUID()
  userId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export const RESET_REASON_MAX = 500;

/**
 * Reset a user's MFA: every factor and recovery code gone, every session revoked. A holder names their
 * account (another account's user answers USER_NOT_FOUND); support names none and must give a reason.
 */
export class ResetUserMfaRequest {
  @IsUUID()
  userId!: string;

  @ValidateIf((o: ResetUserMfaRequest) => o.actor?.type === 'user' || o.accountId !== undefined)
  @IsUUID()
  accountId?: string;

  @ValidateIf((o: ResetUserMfaRequest) => o.actor?.type === 'support' || o.reason !== undefined)
  @IsString()
  @Length(1, RESET_REASON_MAX)
  reason?: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export interface UserMfaResetEvent {
  userId: string;
  accountId: string;
  actor: ActorDto;
  reason?: string;
  sessionsRevoked: number;
  ip?: string;
  at: string;
}

// ---- audit log ---------------------------------------------------------------------------------------

export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'logout',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.reset',
  'mfa.recovery_codes.regenerated',
  'mfa.locked',
  'mfa.verification.succeeded',
  'mfa.verification.failed',
  'settings.changed',
  'safelist.changed',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEventView {
  id: string;
  type: AuditEventType;
  /** `user` (a holder or the user themself), `support` (a support key, by id) or `system`. */
  actor: { type: 'user' | 'support' | 'system'; userId?: string; keyId?: string } | null;
  targetUserId: string | null;
  ip: string | null;
  at: string;
  details: Record<string, unknown>;
}

export class ListAuditEventsRequest extends PagedRequest {
  @IsUUID()
  accountId!: string;
}

// ---- internal check ------------------------------------------------------------------------------------

export class MfaRequirementRequest {
  @IsUUID()
  userId!: string;
}

/**
 * The rules of `MfaRequirementRequest` (exactly one field, `userId`, a UUID) without class-transformer:
 * accounts answers this subject outside Nest's pipeline. A property test holds it to the class above
 * under the strict validation pipe's options.
 */
export function parseMfaRequirementRequest(data: unknown): MfaRequirementRequest {
  const problems: string[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push('payload: must be an object');
  } else {
    for (const key of Object.keys(data)) if (key !== 'userId') problems.push(`property ${key} should not exist`);
    const { userId } = data as { userId?: unknown };
    if (typeof userId !== 'string' || !isUUID(userId)) problems.push('userId: userId must be a UUID');
    else if (problems.length === 0) return { userId };
  }
  throw new DomainError('VALIDATION_FAILED', 'The request is invalid.', { problems });
}

export interface MfaRequirementReply {
  userId: string;
  accountId: string;
  /** The account requires MFA of every user. */
  required: boolean;
  /** The user has a confirmed second factor. */
  enrolled: boolean;
  methods: string[];
}

export const AccountsSubjects = {
  createAccount: rpc<CreateAccountRequest, AccountView>('accounts.accounts.create'),
  createUser: rpc<CreateUserRequest, UserView>('accounts.users.create'),
  getUser: rpc<GetUserRequest, UserView>('accounts.users.get'),
  getPolicy: rpc<GetPolicyRequest, SecurityPolicyView>('accounts.policy.get'),
  /** The active user (USER_NOT_FOUND otherwise) with their account's policy: one query, for auth's login. */
  getSignInContext: rpc<GetUserRequest, SignInContext>('accounts.sign-in-context.get'),
  getSecuritySettings: rpc<GetSecuritySettingsRequest, SecuritySettingsView>('accounts.security-settings.get'),
  updateSecuritySettings: rpc<UpdateSecuritySettingsRequest, SecuritySettingsView>('accounts.security-settings.update'),
  listManagedUsers: rpc<ListUsersRequest, Page<ManagedUserView>>('accounts.managed-users.list'),
  getManagedUser: rpc<GetManagedUserRequest, ManagedUserView>('accounts.managed-users.get'),
  resetUserMfa: rpc<ResetUserMfaRequest, ManagedUserView>('accounts.managed-users.mfa-reset'),
  listAuditEvents: rpc<ListAuditEventsRequest, Page<AuditEventView>>('accounts.audit-events.list'),
  mfaRequirement: rpc<MfaRequirementRequest, MfaRequirementReply>('accounts.mfa-requirement.get'),
} as const;

export const AccountsEvents = {
  accountCreated: event<AccountCreatedEvent>('accounts.events.account.created'),
  userCreated: event<UserCreatedEvent>('accounts.events.user.created'),
  policyChanged: event<PolicyChangedEvent>('accounts.events.policy.changed'),
  userMfaReset: event<UserMfaResetEvent>('accounts.events.user.mfa_reset'),
} as const;
