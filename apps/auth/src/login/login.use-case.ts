import { Injectable } from '@nestjs/common';
import { DomainError, EventPublisher, RpcClient } from '#common';
import { AccountsSubjects, AuthEvents, normalizeUsername, type LoginReply, type LoginRequest } from '#contracts';
import { CredentialRepository } from '../credentials/credential.repository.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { SessionIssuer } from '../sessions/session-issuer.js';

const INVALID = 'The username or password is incorrect.';

/**
 * First step of sign-in: the password. Unknown users and wrong passwords give the same error after the
 * same argon2 work, so neither the answer nor its timing tells them apart.
 */
@Injectable()
export class LoginUseCase {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionIssuer,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
  ) {}

  async execute(request: LoginRequest): Promise<LoginReply> {
    const username = normalizeUsername(request.username);
    const credential = await this.credentials.findByUsername(username);
    const passwordOk = await this.hasher.verify(credential?.passwordHash, request.password);
    if (!credential || !passwordOk) {
      this.failed(credential?.userId, request.ip);
      throw new DomainError('INVALID_CREDENTIALS', INVALID);
    }

    // A user whose creation never finished (or who was removed) has no membership: treat as unknown.
    const user = await this.rpc.request(AccountsSubjects.getUser, { userId: credential.userId }).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'USER_NOT_FOUND') return null;
      throw err;
    });
    if (!user) {
      this.failed(undefined, request.ip);
      throw new DomainError('INVALID_CREDENTIALS', INVALID);
    }

    return this.sessions.issue({ userId: user.id, accountId: user.accountId, role: user.role }, ['pwd'], request.ip);
  }

  private failed(userId: string | undefined, ip: string | undefined): void {
    this.events.publishInBackground(AuthEvents.loginFailed, {
      userId,
      reason: 'invalid_credentials',
      ip,
      at: new Date().toISOString(),
    });
  }
}
