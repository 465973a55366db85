import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { healthHandlerFor, NatsClientModule, serviceDatabaseModule } from '#common';
import { HealthSubjects } from '#contracts';
import { Clock } from './clock.js';
import { mfaDatabase } from './database.js';
import { FactorEntity } from './factors/factor.entity.js';
import { FactorRepository } from './factors/factor.repository.js';
import { FactorsHandler } from './factors/factors.handler.js';
import { RegenerateRecoveryCodesUseCase, RemoveMfaUseCase, ResetMfaUseCase } from './factors/manage-factors.use-case.js';
import { SecretBox } from './factors/secret-box.js';
import { MFA_CONFIG, type MfaConfig } from './mfa.config.js';
import { RecoveryCodeEntity } from './recovery-codes/recovery-code.entity.js';
import { RecoveryCodeRepository } from './recovery-codes/recovery-code.repository.js';
import { MfaStatusUseCase } from './status/mfa-status.use-case.js';
import { StatusHandler } from './status/status.handler.js';
import { TotpSetupUseCase } from './totp/totp-setup.use-case.js';
import { TotpHandler } from './totp/totp.handler.js';
import { LockoutRepository } from './verification/lockout.repository.js';
import { SecondFactorVerifier } from './verification/second-factor.verifier.js';
import { UserStateEntity } from './verification/user-state.entity.js';
import { VerificationHandler } from './verification/verification.handler.js';
import { EmailCodeChecker } from './email/email-code.checker.js';
import { EmailCodeDelivery } from './email/email-code.delivery.js';
import { EmailCodeHasher } from './email/email-code.js';
import { EmailCodeRepository } from './email/email-code.repository.js';
import { EmailCodeSender, EmailSetupUseCase, SendEmailCodeUseCase } from './email/email-codes.use-case.js';
import { EmailRecipient } from './email/email-recipient.js';
import { EmailHandler } from './email/email.handler.js';
import { Mailer } from './notifications/mailer.js';
import { NotificationConsumer } from './notifications/notification-consumer.js';

@Module({})
export class MfaModule {
  static forRoot(config: MfaConfig): DynamicModule {
    return {
      module: MfaModule,
      imports: [
        serviceDatabaseModule(mfaDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        TypeOrmModule.forFeature([FactorEntity, RecoveryCodeEntity, UserStateEntity]),
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'mfa',
        }),
      ],
      controllers: [TotpHandler, EmailHandler, VerificationHandler, FactorsHandler, StatusHandler, healthHandlerFor('mfa', HealthSubjects.mfa.name)],
      providers: [
        { provide: MFA_CONFIG, useValue: config },
        Clock,
        SecretBox,
        FactorRepository,
        RecoveryCodeRepository,
        LockoutRepository,
        SecondFactorVerifier,
        TotpSetupUseCase,
        RemoveMfaUseCase,
        RegenerateRecoveryCodesUseCase,
        ResetMfaUseCase,
        MfaStatusUseCase,
        Mailer,
        EmailRecipient,
        EmailCodeHasher,
        EmailCodeRepository,
        EmailCodeChecker,
        EmailCodeDelivery,
        EmailCodeSender,
        EmailSetupUseCase,
        SendEmailCodeUseCase,
        NotificationConsumer,
      ],
    };
  }
}
