import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsIP, IsOptional, IsString, IsUUID, Length, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { event, rpc } from '#common';
import { ActorDto, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, type AuthenticationMethod, type Role } from './identity.js';
import { IsSecondFactorCode, MFA_METHODS, type EmailCodeSentReply, type MfaMethod } from './mfa.contract.js';
import { IsUsername } from './validators.js';

// ---- sign-in -------------------------------------------------------------------------------------

export class LoginRequest {
  /** Not validated as a username: any string up to the limits, so a bad name costs the same as a wrong one. */
  @IsString()
  @Length(1, USERNAME_MAX * 4)
  username!: string;

  @IsString()
  @Length(1, 1024)
  password!: string;

  @IsOptional()
  @IsIP()
  ip?: string;
}

export type LoginReply =
  | { status: 'authenticated'; accessToken: string; expiresIn: number; tokenType: 'Bearer' }
  | { status: 'mfa_required'; challengeId: string; methods: string[]; expiresIn: number }
  | { status: 'mfa_setup_required'; setupToken: string; expiresIn: number; methods: string[] };

/** Second step of sign-in: a code for the challenge that `auth.login` answered with. */
export class VerifyMfaChallengeRequest {
  @IsUUID()
  challengeId!: string;

  @IsIn(MFA_METHODS)
  method!: MfaMethod;

  @IsSecondFactorCode()
  code!: string;

  @IsOptional()
  @IsIP()
  ip?: string;
}

/** "Email me a code" for a live challenge of a user who chose email codes. */
export class SendChallengeEmailCodeRequest {
  @IsUUID()
  challengeId!: string;

  @IsOptional()
  @IsIP()
  ip?: string;
}

export class SessionRef {
  @IsUUID()
  sessionId!: string;
}

export interface SessionCheckReply {
  active: true;
  userId: string;
}

/** Claims of a Twofold access token (JWT, EdDSA). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  acc: string;
  role: Role;
  amr: AuthenticationMethod[];
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface JwksReply {
  keys: Array<Record<string, unknown>>;
}

// ---- credentials (called by accounts while creating a user) --------------------------------------

export class SetCredentialRequest {
  @IsUUID()
  userId!: string;

  @IsUsername()
  username!: string;

  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class UserRef {
  @IsUUID()
  userId!: string;
}

// ---- support keys ------------------------------------------------------------------------------

export class VerifySupportKeyRequest {
  @IsString()
  @Length(1, 256)
  key!: string;
}

export interface VerifySupportKeyReply {
  keyId: string;
}

export class RevokeUserSessionsRequest {
  @IsUUID()
  userId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;
}

export interface RevokeUserSessionsReply {
  revoked: number;
}

// ---- events ------------------------------------------------------------------------------------

export interface LoginSucceededEvent {
  userId: string;
  accountId: string;
  sessionId: string;
  amr: AuthenticationMethod[];
  ip?: string;
  at: string;
}

export interface LoginFailedEvent {
  /** Present only when the username named a real user. */
  userId?: string;
  accountId?: string;
  reason: 'invalid_credentials' | 'ip_not_allowed' | 'mfa_failed' | 'locked';
  ip?: string;
  at: string;
}

export interface LogoutEvent {
  userId: string;
  accountId: string;
  sessionId: string;
  at: string;
}

export const AuthSubjects = {
  login: rpc<LoginRequest, LoginReply>('auth.login'),
  verifyMfaChallenge: rpc<VerifyMfaChallengeRequest, Extract<LoginReply, { status: 'authenticated' }>>('auth.mfa.verify'),
  sendChallengeEmailCode: rpc<SendChallengeEmailCodeRequest, EmailCodeSentReply>('auth.mfa.email.send'),
  logout: rpc<SessionRef, { revoked: boolean }>('auth.sessions.revoke'),
  checkSession: rpc<SessionRef, SessionCheckReply>('auth.sessions.check'),
  revokeUserSessions: rpc<RevokeUserSessionsRequest, RevokeUserSessionsReply>('auth.sessions.revoke-user'),
  jwks: rpc<Record<string, never>, JwksReply>('auth.jwks.get'),
  setCredential: rpc<SetCredentialRequest, { userId: string }>('auth.credentials.set'),
  deleteCredential: rpc<UserRef, { deleted: boolean }>('auth.credentials.delete'),
  verifySupportKey: rpc<VerifySupportKeyRequest, VerifySupportKeyReply>('auth.support-keys.verify'),
} as const;

export const AuthEvents = {
  loginSucceeded: event<LoginSucceededEvent>('auth.events.login.succeeded'),
  loginFailed: event<LoginFailedEvent>('auth.events.login.failed'),
  logout: event<LogoutEvent>('auth.events.logout'),
} as const;

/**
 * Sessions that just ended, for the gateways' session caches: plain NATS (not a stored fact), sent by
 * auth and flushed to the server before auth answers the request that revoked them. Either the ids of the
 * ended sessions or, for "every session of a user", the user.
 */
export interface SessionsRevokedSignal {
  sessionIds?: string[];
  userId?: string;
}

export const AuthSignals = {
  sessionsRevoked: event<SessionsRevokedSignal>('auth.signals.sessions-revoked'),
} as const;
