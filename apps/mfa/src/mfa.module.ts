import { Module, type DynamicModule } from '@nestjs/common';
import { healthHandlerFor, NatsClientModule, serviceDatabaseModule } from '#common';
import { HealthSubjects } from '#contracts';
import { mfaDatabase } from './database.js';
import { MFA_CONFIG, type MfaConfig } from './mfa.config.js';

@Module({})
export class MfaModule {
  static forRoot(config: MfaConfig): DynamicModule {
    return {
      module: MfaModule,
      imports: [
        serviceDatabaseModule(mfaDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'mfa',
        }),
      ],
      controllers: [healthHandlerFor('mfa', HealthSubjects.mfa.name)],
      providers: [{ provide: MFA_CONFIG, useValue: config }],
    };
  }
}
