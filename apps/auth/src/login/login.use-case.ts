import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher, RpcClient } from '#common';
import {
  AccountsSubjects,
  AuthEvents,
  MfaSubjects,
  normalizeUsername,
  SafelistMatcher,
  SETUP_TOKEN_TTL_SECONDS,
  type LoginFailedEvent,
  type LoginReply,
  type LoginRequest,
} from '#contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { ChallengeRepository } from '../challenges/challenge.repository.js';
import { CredentialRepository } from '../credentials/credential.repository.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { RateLimiter } from '../rate-limits/rate-limiter.js';
import { SessionIssuer } from '../sessions/session-issuer.js';
import { SetupTokenRepository } from '../setup-tokens/setup-token.repository.js';

const INVALID = 'The username or password is incorrect.';

/**
 * First step of sign-in: the password. Unknown users and wrong passwords give the same error after the
 * same argon2 work, so neither the answer nor its timing tells them apart. A user with a second factor
 * gets a challenge, never a session: only `auth.mfa.verify` turns that challenge into one.
 */
@Injectable()
export class LoginUseCase {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionIssuer,
    private readonly challenges: ChallengeRepository,
    private readonly setupTokens: SetupTokenRepository,
    private readonly rateLimiter: RateLimiter,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async execute(request: LoginRequest): Promise<LoginReply> {
    // Before argon2: a flood from one address costs us one small UPDATE a request. The credential is
    // read meanwhile (independent of the count), so the two cost one round trip's wait.
    const username = normalizeUsername(request.username);
    const [, credential] = await Promise.all([this.rateLimiter.consume('login', request.ip), this.credentials.findByUsername(username)]);
    const passwordOk = await this.hasher.verify(credential?.passwordHash, request.password);
    if (!credential || !passwordOk) {
      this.failed(credential?.userId, request.ip);
      throw new DomainError('INVALID_CREDENTIALS', INVALID);
    }

    // A user whose creation never finished (or who was removed) has no membership: treat as unknown.
    // Fails closed: if mfa or accounts cannot say, nobody signs in. The user with their account's policy
    // and the user's factors are independent reads: one round trip's wait.
    const [context, mfa] = await Promise.all([
      this.rpc.request(AccountsSubjects.getSignInContext, { userId: credential.userId }).catch((err: unknown) => {
        if (err instanceof DomainError && err.code === 'USER_NOT_FOUND') return null;
        throw err;
      }),
      this.rpc.request(MfaSubjects.getStatus, { userId: credential.userId }),
    ]);
    if (!context) {
      this.failed(undefined, request.ip);
      throw new DomainError('INVALID_CREDENTIALS', INVALID);
    }
    const { user, policy } = context;
    // After the password, so the answer never tells a guesser that a username exists.
    if (!new SafelistMatcher(policy.ipSafelist).allows(request.ip)) {
      this.failed(user.id, request.ip, 'ip_not_allowed', user.accountId);
      throw new DomainError('IP_NOT_ALLOWED', `Your account does not allow sign-in from ${request.ip ?? 'an unknown address'}.`);
    }
    // Email codes count only while the account allows them: a user whose only factor is email, in an
    // account that turned email codes off, is treated as not enrolled here (recovery codes alone are a
    // way back in, not a factor): they set up an app if MFA is required, or sign in with the password.
    const methods = mfa.methods.filter((method) => method !== 'email' || policy.allowEmailCodes);
    const hasFactor = methods.includes('totp') || methods.includes('email');
    if (mfa.enrolled && hasFactor) {
      const challengeId = randomUUID();
      const ttlSeconds = this.config.MFA_CHALLENGE_TTL_SECONDS;
      await this.challenges.create({ id: challengeId, userId: user.id, accountId: user.accountId, role: user.role, ip: request.ip ?? null, ttlSeconds });
      return { status: 'mfa_required', challengeId, methods, expiresIn: ttlSeconds };
    }

    // The account requires MFA and this user has no usable factor: no session until one is set up.
    if (policy.mfaRequired) {
      const setupToken = await this.setupTokens.issue({ userId: user.id, accountId: user.accountId, role: user.role, ip: request.ip ?? null }, SETUP_TOKEN_TTL_SECONDS);
      return { status: 'mfa_setup_required', setupToken, expiresIn: SETUP_TOKEN_TTL_SECONDS, methods: policy.allowEmailCodes ? ['totp', 'email'] : ['totp'] };
    }

    return this.sessions.issue({ userId: user.id, accountId: user.accountId, role: user.role }, ['pwd'], request.ip);
  }

  private failed(userId: string | undefined, ip: string | undefined, reason: LoginFailedEvent['reason'] = 'invalid_credentials', accountId?: string): void {
    this.events.publishInBackground(AuthEvents.loginFailed, {
      userId,
      accountId,
      reason,
      ip,
      at: new Date().toISOString(),
    });
  }
}
