import 'reflect-metadata';
import { runService } from '#common';
import { loadMfaConfig } from './mfa.config.js';
import { MfaModule } from './mfa.module.js';

await runService('mfa', () => loadMfaConfig(), (config) => MfaModule.forRoot(config));
