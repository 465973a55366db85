import 'reflect-metadata';
import { runService } from '#common';
import { loadAccountsConfig } from './accounts.config.js';
import { AccountsModule } from './accounts.module.js';

await runService('accounts', () => loadAccountsConfig(), (config) => AccountsModule.forRoot(config));
