import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsOptional, IsString, IsUUID, Matches, ValidateNested, registerDecorator, type ValidationOptions } from 'class-validator';
import { event, rpc } from '#common';
import { ActorDto, type Actor } from './identity.js';
import { IsUsername } from './validators.js';

// ---- code formats (same rule at the gateway and in the mfa service) -------------------------------

export const MFA_METHODS = ['totp', 'recovery_code', 'email'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];
/** The factors a user sets up (recovery codes come with either). */
export type FactorMethod = 'totp' | 'email';

/** A TOTP code as typed: exactly six ASCII digits, as a string (a number would lose leading zeros). */
export const TOTP_CODE_PATTERN = /^[0-9]{6}$/;

/**
 * A recovery code as typed: 16 Crockford base32 characters, any case, optionally in groups of four
 * separated by dashes (`7QK2-M9XD-4HTR-0B6C`). I/L and O are read as 1 and 0, as Crockford prescribes.
 */
export const RECOVERY_CODE_PATTERN = /^[0-9A-TV-Za-tv-z]{4}(?:-?[0-9A-TV-Za-tv-z]{4}){3}$/;

export const BATCH_STATUS_MAX = 100;

export function IsTotpCode(options?: ValidationOptions): PropertyDecorator {
  return Matches(TOTP_CODE_PATTERN, { message: '$property must be a string of 6 digits', ...options });
}

/** `code` checked against the format of the object's `method` (TOTP or recovery code). */
export function IsSecondFactorCode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isSecondFactorCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args) => {
          if (typeof value !== 'string') return false;
          const method = (args?.object as { method?: unknown } | undefined)?.method;
          if (method === 'totp' || method === 'email') return TOTP_CODE_PATTERN.test(value);
          if (method === 'recovery_code') return RECOVERY_CODE_PATTERN.test(value);
          return false;
        },
        defaultMessage: (args) => {
          const method = (args?.object as { method?: unknown } | undefined)?.method;
          if (method === 'recovery_code') return `${args?.property ?? 'code'} must be a recovery code: 16 letters and digits, as xxxx-xxxx-xxxx-xxxx`;
          if (method === 'totp' || method === 'email') return `${args?.property ?? 'code'} must be a string of 6 digits`;
          return `${args?.property ?? 'code'} cannot be checked without a valid method`;
        },
      },
    });
  };
}

// ---- requests ------------------------------------------------------------------------------------

export class MfaUserRef {
  @IsUUID()
  userId!: string;
}

export class StartTotpSetupRequest {
  @IsUUID()
  userId!: string;

  /** Shown in the authenticator app as the account label. */
  @IsUsername()
  username!: string;
}

export class TotpCodeRequest {
  @IsUUID()
  userId!: string;

  @IsString()
  @IsTotpCode()
  code!: string;
}

export class VerifySecondFactorRequest {
  @IsUUID()
  userId!: string;

  @IsIn(MFA_METHODS)
  method!: MfaMethod;

  @IsSecondFactorCode()
  code!: string;

  /** The sign-in an email code was sent for (its code is bound to it); absent: a code sent for managing MFA. */
  @IsOptional()
  @IsUUID()
  challengeId?: string;
}

/** Mail a 6-digit code: for a sign-in challenge, or (no challengeId) to prove the factor when managing MFA. */
export class SendEmailCodeRequest {
  @IsUUID()
  userId!: string;

  @IsOptional()
  @IsUUID()
  challengeId?: string;
}

export class MfaStatusBatchRequest {
  @IsArray()
  @ArrayMaxSize(BATCH_STATUS_MAX)
  @IsUUID('all', { each: true })
  userIds!: string[];
}

export class ResetMfaRequest {
  @IsUUID()
  userId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

// ---- replies -------------------------------------------------------------------------------------

export interface TotpSetupStartReply {
  /** `otpauth://totp/Issuer:username?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30` */
  otpauthUrl: string;
  /** The same URI as a QR code, a `data:image/png;base64,…` URL rendered in-process. */
  qrCode: string;
  /** The base32 secret in groups of four, for typing it in. */
  manualKey: string;
  /** Seconds until the unconfirmed setup expires. */
  expiresIn: number;
}

/** A code is on its way (delivery is asynchronous: the answer never waits for the mail server). */
export interface EmailCodeSentReply {
  /** The address, masked (`z•••@example.com`), so the user knows where to look. */
  sentTo: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
  /** Seconds before another code may be sent. */
  resendAfterSeconds: number;
  /** Codes that may still be sent for this sign-in (or setup, within the hour). */
  sendsRemaining: number;
}

export interface TotpSetupConfirmReply {
  /** Ten single-use codes, shown this once. */
  recoveryCodes: string[];
}

export interface MfaStatus {
  enrolled: boolean;
  /** Methods that can pass a challenge now; empty when not enrolled. */
  methods: MfaMethod[];
  recoveryCodesRemaining: number;
}

export interface MfaStatusBatchReply {
  statuses: Record<string, MfaStatus>;
}

export interface VerifySecondFactorReply {
  verified: true;
  method: MfaMethod;
}

export interface RecoveryCodesReply {
  recoveryCodes: string[];
}

export interface ResetMfaReply {
  /** False when the user had nothing to remove (a reset is idempotent). */
  removed: boolean;
}

// ---- events (never a secret or a code) ----------------------------------------------------------

export interface MfaEnrolledEvent {
  userId: string;
  method: FactorMethod;
  ip?: string;
  at: string;
}

export interface MfaRemovedEvent {
  userId: string;
  ip?: string;
  at: string;
}

export interface MfaResetEvent {
  userId: string;
  actor: Actor;
  removed: boolean;
  ip?: string;
  at: string;
}

export interface RecoveryCodesRegeneratedEvent {
  userId: string;
  ip?: string;
  at: string;
}

export interface MfaLockedEvent {
  userId: string;
  lockedUntil: string;
  ip?: string;
  at: string;
}

export interface MfaVerificationEvent {
  userId: string;
  method: MfaMethod;
  /** Only on failures: why, without the code. */
  reason?: 'wrong_code' | 'replayed' | 'expired' | 'locked' | 'not_allowed';
  ip?: string;
  at: string;
}

export const MfaSubjects = {
  startTotpSetup: rpc<StartTotpSetupRequest, TotpSetupStartReply>('mfa.totp.setup.start'),
  confirmTotpSetup: rpc<TotpCodeRequest, TotpSetupConfirmReply>('mfa.totp.setup.confirm'),
  getStatus: rpc<MfaUserRef, MfaStatus>('mfa.status.get'),
  getStatusBatch: rpc<MfaStatusBatchRequest, MfaStatusBatchReply>('mfa.status.batch'),
  verify: rpc<VerifySecondFactorRequest, VerifySecondFactorReply>('mfa.verify'),
  remove: rpc<TotpCodeRequest, { removed: true }>('mfa.remove'),
  regenerateRecoveryCodes: rpc<TotpCodeRequest, RecoveryCodesReply>('mfa.recovery-codes.regenerate'),
  reset: rpc<ResetMfaRequest, ResetMfaReply>('mfa.factors.reset'),
  startEmailSetup: rpc<MfaUserRef, EmailCodeSentReply>('mfa.email.setup.start'),
  confirmEmailSetup: rpc<TotpCodeRequest, TotpSetupConfirmReply>('mfa.email.setup.confirm'),
  sendEmailCode: rpc<SendEmailCodeRequest, EmailCodeSentReply>('mfa.email.send'),
} as const;

/**
 * A user's MFA status just changed (enrolled, removed, reset, recovery codes replaced or one spent): plain
 * NATS, not a stored fact, sent by mfa and flushed to the server before mfa answers the request that
 * changed it, so the per-replica caches of accounts forget the user before anyone hears it was done.
 */
export interface MfaStatusChangedSignal {
  userId: string;
}

export const MfaSignals = {
  statusChanged: event<MfaStatusChangedSignal>('mfa.signals.status-changed'),
} as const;

export const MfaEvents = {
  enrolled: event<MfaEnrolledEvent>('mfa.events.enrolled'),
  removed: event<MfaRemovedEvent>('mfa.events.removed'),
  reset: event<MfaResetEvent>('mfa.events.reset'),
  recoveryCodesRegenerated: event<RecoveryCodesRegeneratedEvent>('mfa.events.recovery_codes.regenerated'),
  locked: event<MfaLockedEvent>('mfa.events.locked'),
  verificationSucceeded: event<MfaVerificationEvent>('mfa.events.verification.succeeded'),
  verificationFailed: event<MfaVerificationEvent>('mfa.events.verification.failed'),
} as const;
