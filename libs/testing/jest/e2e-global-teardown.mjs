/** Stops the e2e services and drops the run's database and event stream. */
export default async function e2eGlobalTeardown() {
  const running = globalThis.__TWOFOLD_E2E__;
  globalThis.__TWOFOLD_E2E__ = undefined;
  await running?.stop();
}
