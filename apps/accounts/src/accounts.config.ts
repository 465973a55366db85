import { commonSettings, databaseSettings, loadConfig, type Env } from '#common';

const accountsSettings = {
  ...commonSettings,
  ...databaseSettings,
};

export type AccountsConfig = ReturnType<typeof loadAccountsConfig>;

export function loadAccountsConfig(env?: Env) {
  return loadConfig(accountsSettings, env);
}

export const ACCOUNTS_CONFIG = Symbol('ACCOUNTS_CONFIG');
