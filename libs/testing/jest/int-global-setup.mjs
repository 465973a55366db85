import { loadHarness } from './load-harness.mjs';

/**
 * Creates the integration run's database and subject prefix and publishes them in TWOFOLD_INT_RUN
 * (JSON: databaseUrl, natsUrl, prefix, jwtPrivateKey, mfaEncryptionKeys); tests use `intRun()` /
 * `intEnv()` from #testing.
 */
export default async function intGlobalSetup() {
  const { prepareIntRun, INT_RUN_ENV } = await loadHarness();
  const prepared = await prepareIntRun();
  globalThis.__TWOFOLD_INT__ = prepared;
  process.env[INT_RUN_ENV] = JSON.stringify(prepared.run);
}
