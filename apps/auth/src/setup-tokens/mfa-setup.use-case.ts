import { Injectable } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import {
  AccountsSubjects,
  MfaSubjects,
  SafelistMatcher,
  type MfaSetupConfirmReply,
  type MfaSetupConfirmRequest,
  type MfaSetupStartRequest,
  type TotpSetupStartReply,
  type EmailCodeSentReply,
} from '#contracts';
import { RateLimiter } from '../rate-limits/rate-limiter.js';
import { SessionIssuer } from '../sessions/session-issuer.js';
import type { SetupTokenEntity } from './setup-token.entity.js';
import { SetupTokenRepository } from './setup-token.repository.js';

const TOKEN_INVALID = 'This setup token is invalid, expired or already used. Sign in again.';

/**
 * Forced MFA setup at sign-in, with the setup token that `auth.login` issued instead of a session: the
 * same two steps as the self-service pair (mfa owns every rule of the setup), and the confirmation
 * spends the token, atomically, and issues the session the sign-in was waiting for.
 */
@Injectable()
export class MfaSetupUseCase {
  constructor(
    private readonly tokens: SetupTokenRepository,
    private readonly sessions: SessionIssuer,
    private readonly rateLimiter: RateLimiter,
    private readonly rpc: RpcClient,
  ) {}

  async start(request: MfaSetupStartRequest): Promise<TotpSetupStartReply> {
    const token = await this.live(request);
    const user = await this.rpc.request(AccountsSubjects.getUser, { userId: token.userId });
    return this.rpc.request(MfaSubjects.startTotpSetup, { userId: token.userId, username: user.username });
  }

  async confirm(request: MfaSetupConfirmRequest): Promise<MfaSetupConfirmReply> {
    // Wrong codes here are guesses like any other: the same per-IP budget as the challenge.
    await this.rateLimiter.consume('mfa_verify', request.ip);
    const token = await this.live(request);
    const { recoveryCodes } = await this.rpc.request(MfaSubjects.confirmTotpSetup, { userId: token.userId, code: request.code });
    if (!(await this.tokens.spend(token.id))) throw new DomainError('TOKEN_INVALID', TOKEN_INVALID);
    const session = await this.sessions.issue({ userId: token.userId, accountId: token.accountId, role: token.role }, ['pwd', 'otp', 'mfa'], request.ip);
    return { ...session, recoveryCodes };
  }

  /** Email codes instead of an app: mfa mails a code (and refuses where the account does not allow it). */
  async startEmail(request: MfaSetupStartRequest): Promise<EmailCodeSentReply> {
    const token = await this.live(request);
    return this.rpc.request(MfaSubjects.startEmailSetup, { userId: token.userId });
  }

  async confirmEmail(request: MfaSetupConfirmRequest): Promise<MfaSetupConfirmReply> {
    await this.rateLimiter.consume('mfa_verify', request.ip);
    const token = await this.live(request);
    const { recoveryCodes } = await this.rpc.request(MfaSubjects.confirmEmailSetup, { userId: token.userId, code: request.code });
    if (!(await this.tokens.spend(token.id))) throw new DomainError('TOKEN_INVALID', TOKEN_INVALID);
    const session = await this.sessions.issue({ userId: token.userId, accountId: token.accountId, role: token.role }, ['pwd', 'otp', 'mfa'], request.ip);
    return { ...session, recoveryCodes };
  }

  /** The live token, used from an address the account still allows. */
  private async live(request: MfaSetupStartRequest): Promise<SetupTokenEntity> {
    const token = await this.tokens.findLive(request.setupToken);
    if (!token) throw new DomainError('TOKEN_INVALID', TOKEN_INVALID);
    const policy = await this.rpc.request(AccountsSubjects.getPolicy, { accountId: token.accountId });
    if (!new SafelistMatcher(policy.ipSafelist).allows(request.ip)) {
      throw new DomainError('IP_NOT_ALLOWED', `Your account does not allow access from ${request.ip ?? 'an unknown address'}.`);
    }
    return token;
  }
}
