/** Drops the integration run's database and its event streams. */
export default async function intGlobalTeardown() {
  const prepared = globalThis.__TWOFOLD_INT__;
  globalThis.__TWOFOLD_INT__ = undefined;
  await prepared?.teardown();
}
