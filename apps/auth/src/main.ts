import 'reflect-metadata';
import { runService } from '#common';
import { loadAuthConfig } from './auth.config.js';
import { AuthModule } from './auth.module.js';

await runService('auth', () => loadAuthConfig(), (config) => AuthModule.forRoot(config));
