import { IsIP, IsOptional, IsString, Matches } from 'class-validator';
import { rpc } from '#common';
import type { LoginReply } from './auth.contract.js';
import { IsTotpCode, type EmailCodeSentReply, type TotpSetupStartReply } from './mfa.contract.js';

/**
 * Forced MFA setup at sign-in: when the account requires MFA and the user has none, `auth.login` answers
 * `{status:"mfa_setup_required", setupToken}`. The setup token is an opaque random string (not a JWT, so
 * it can never pass for an access token), stored hashed in auth, good for 15 minutes and only for these
 * two subjects; confirming spends it and issues the session.
 */
export const SETUP_TOKEN_TTL_SECONDS = 15 * 60;
export const SETUP_TOKEN_PATTERN = /^tfst_[A-Za-z0-9_-]{43}$/;

export class MfaSetupStartRequest {
  @IsString()
  @Matches(SETUP_TOKEN_PATTERN)
  setupToken!: string;

  @IsOptional()
  @IsIP()
  ip?: string;
}

export class MfaSetupConfirmRequest extends MfaSetupStartRequest {
  @IsString()
  @IsTotpCode()
  code!: string;
}

export type MfaSetupConfirmReply = Extract<LoginReply, { status: 'authenticated' }> & { recoveryCodes: string[] };

export const MfaSetupSubjects = {
  start: rpc<MfaSetupStartRequest, TotpSetupStartReply>('auth.mfa-setup.start'),
  confirm: rpc<MfaSetupConfirmRequest, MfaSetupConfirmReply>('auth.mfa-setup.confirm'),
  startEmail: rpc<MfaSetupStartRequest, EmailCodeSentReply>('auth.mfa-setup.email.start'),
  confirmEmail: rpc<MfaSetupConfirmRequest, MfaSetupConfirmReply>('auth.mfa-setup.email.confirm'),
} as const;
