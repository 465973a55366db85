import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { healthHandlerFor, NatsClientModule, serviceDatabaseModule } from '#common';
import { HealthSubjects } from '#contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './accounts.config.js';
import { AccountAccess } from './accounts/account-access.js';
import { AccountEntity } from './accounts/account.entity.js';
import { AccountRepository } from './accounts/account.repository.js';
import { AccountsHandler } from './accounts/accounts.handler.js';
import { accountsDatabase } from './database.js';
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
        TypeOrmModule.forFeature([AccountEntity, UserEntity]),
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'accounts',
        }),
      ],
      controllers: [AccountsHandler, UsersHandler, healthHandlerFor('accounts', HealthSubjects.accounts.name)],
      providers: [
        { provide: ACCOUNTS_CONFIG, useValue: config },
        AccountRepository,
        UserRepository,
        AccountAccess,
        CreateUserUseCase,
        PendingUserSweeper,
      ],
    };
  }
}
