import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { healthHandlerFor, NatsClientModule, serviceDatabaseModule } from '#common';
import { HealthSubjects } from '#contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './accounts.config.js';
import { AccountAccess } from './accounts/account-access.js';
import { AccountEntity } from './accounts/account.entity.js';
import { AccountRepository } from './accounts/account.repository.js';
import { AccountsHandler } from './accounts/accounts.handler.js';
import { CreateAccountUseCase } from './accounts/create-account.use-case.js';
import { AuditConsumer } from './audit/audit-consumer.js';
import { AuditEventEntity } from './audit/audit-event.entity.js';
import { AuditEventRepository } from './audit/audit-event.repository.js';
import { AuditLogUseCase } from './audit/audit-log.use-case.js';
import { AuditHandler } from './audit/audit.handler.js';
import { accountsDatabase } from './database.js';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity.js';
import { IdempotencyKeyRepository } from './idempotency/idempotency-key.repository.js';
import { IdempotencyKeySweeper } from './idempotency/idempotency-key.sweeper.js';
import { ManagedUsersHandler } from './managed-users/managed-users.handler.js';
import { ManagedUsersUseCase } from './managed-users/managed-users.use-case.js';
import { MfaRequirementCache } from './mfa-requirement/mfa-requirement.cache.js';
import { MfaStatusCache } from './managed-users/mfa-status.cache.js';
import { MfaRequirementHandler } from './mfa-requirement/mfa-requirement.handler.js';
import { MfaRequirementUseCase } from './mfa-requirement/mfa-requirement.use-case.js';
import { PolicyHandler } from './policy/policy.handler.js';
import { SecurityPolicyEntity } from './policy/security-policy.entity.js';
import { SecurityPolicyRepository } from './policy/security-policy.repository.js';
import { SecuritySettingsUseCase } from './policy/security-settings.use-case.js';
import { CreateUserUseCase, PendingUserSweeper } from './users/create-user.use-case.js';
import { UserEntity } from './users/user.entity.js';
import { UserRepository } from './users/user.repository.js';
import { UsersHandler } from './users/users.handler.js';

@Module({})
export class AccountsModule {
  static forRoot(config: AccountsConfig): DynamicModule {
    return {
      module: AccountsModule,
      imports: [
        serviceDatabaseModule(accountsDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        TypeOrmModule.forFeature([AccountEntity, UserEntity, SecurityPolicyEntity, AuditEventEntity, IdempotencyKeyEntity]),
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'accounts',
        }),
      ],
      controllers: [
        AccountsHandler,
        UsersHandler,
        PolicyHandler,
        ManagedUsersHandler,
        AuditHandler,
        healthHandlerFor('accounts', HealthSubjects.accounts.name),
      ],
      providers: [
        { provide: ACCOUNTS_CONFIG, useValue: config },
        MfaRequirementHandler,
        MfaStatusCache,
        AccountRepository,
        UserRepository,
        AccountAccess,
        CreateAccountUseCase,
        IdempotencyKeyRepository,
        IdempotencyKeySweeper,
        CreateUserUseCase,
        PendingUserSweeper,
        SecurityPolicyRepository,
        SecuritySettingsUseCase,
        AuditEventRepository,
        AuditLogUseCase,
        AuditConsumer,
        ManagedUsersUseCase,
        MfaRequirementUseCase,
        MfaRequirementCache,
      ],
    };
  }
}
