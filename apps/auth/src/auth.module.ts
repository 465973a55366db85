import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { healthHandlerFor, NatsClientModule, serviceDatabaseModule } from '#common';
import { HealthSubjects } from '#contracts';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import { ChallengeEntity } from './challenges/challenge.entity.js';
import { ChallengeRepository } from './challenges/challenge.repository.js';
import { ChallengesHandler } from './challenges/challenges.handler.js';
import { VerifyChallengeUseCase } from './challenges/verify-challenge.use-case.js';
import { CredentialEntity } from './credentials/credential.entity.js';
import { CredentialRepository } from './credentials/credential.repository.js';
import { CredentialsHandler } from './credentials/credentials.handler.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { authDatabase } from './database.js';

import { LoginHandler } from './login/login.handler.js';
import { LoginUseCase } from './login/login.use-case.js';
import { RateLimitRepository } from './rate-limits/rate-limit.repository.js';
import { RateLimiter } from './rate-limits/rate-limiter.js';
import { SessionEntity } from './sessions/session.entity.js';
import { SessionIssuer } from './sessions/session-issuer.js';
import { SessionRepository } from './sessions/session.repository.js';
import { SessionsHandler } from './sessions/sessions.handler.js';
import { MfaSetupHandler } from './setup-tokens/mfa-setup.handler.js';
import { MfaSetupUseCase } from './setup-tokens/mfa-setup.use-case.js';
import { SetupTokenEntity } from './setup-tokens/setup-token.entity.js';
import { SetupTokenRepository } from './setup-tokens/setup-token.repository.js';
import { TokenSigner } from './sessions/token-signer.js';
import { SupportKeyEntity } from './support-keys/support-key.entity.js';
import { SupportKeyRepository } from './support-keys/support-key.repository.js';
import { SupportKeysHandler } from './support-keys/support-keys.handler.js';

@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    const database = authDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    return {
      module: AuthModule,
      imports: [
        serviceDatabaseModule(database),
        TypeOrmModule.forFeature([CredentialEntity, SessionEntity, SupportKeyEntity, ChallengeEntity, SetupTokenEntity]),
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'auth',
        }),
      ],
      controllers: [LoginHandler, ChallengesHandler, MfaSetupHandler, SessionsHandler, CredentialsHandler, SupportKeysHandler, healthHandlerFor('auth', HealthSubjects.auth.name)],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        CredentialRepository,
        SessionRepository,
        SupportKeyRepository,
        PasswordHasher,
        TokenSigner,
        SessionIssuer,
        LoginUseCase,
        ChallengeRepository,
        RateLimitRepository,
        RateLimiter,
        VerifyChallengeUseCase,
        SetupTokenRepository,
        MfaSetupUseCase,
      ],
    };
  }
}
