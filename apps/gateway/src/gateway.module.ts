import { Module, type DynamicModule } from '@nestjs/common';
import { NatsClientModule } from '#common';
import { AccountsController } from './accounts/accounts.controller.js';
import { AuditEventsController } from './accounts/audit-events.controller.js';
import { ManagedUsersController } from './accounts/managed-users.controller.js';
import { SecuritySettingsController } from './accounts/security-settings.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { MfaSetupController } from './auth/mfa-setup.controller.js';
import { SessionCache } from './auth/session-cache.js';
import { SessionGuard } from './auth/session.guard.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway.config.js';
import { HealthController } from './health/health.controller.js';
import { MeController } from './me/me.controller.js';
import { MeMfaController } from './mfa/me-mfa.controller.js';
import { MfaVerifyController } from './mfa/mfa-verify.controller.js';
import { PolicyCache } from './policy/policy-cache.js';
import { SupportKeyGuard } from './support/support-key.guard.js';
import { SupportController } from './support/support.controller.js';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        NatsClientModule.forRoot({
          natsUrl: config.NATS_URL,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
          name: 'gateway',
        }),
      ],
      controllers: [
        HealthController,
        AuthController,
        MeController,
        MeMfaController,
        MfaVerifyController,
        MfaSetupController,
        AccountsController,
        SecuritySettingsController,
        ManagedUsersController,
        AuditEventsController,
        SupportController,
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, TokenVerifier, PolicyCache, SessionCache, SessionGuard, SupportKeyGuard],
    };
  }
}
