import { loadHarness } from './load-harness.mjs';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Starts the one stack the whole e2e project shares; tests read it with `e2eStack()` from #testing. */
export default async function e2eGlobalSetup(_globalConfig, projectConfig) {
  const { startE2eStack, E2E_STACK_ENV } = await loadHarness();
  // A jest killed by a signal would die without teardown, leaving the services running. Exiting
  // through process.exit instead fires the harness's 'exit' reaper, which kills them. (The run's
  // database is then left for a later run to drop once it is stale.)
  const onSignal = (signal) => process.exit(SIGNAL_EXIT[signal] ?? 1);
  for (const signal of Object.keys(SIGNAL_EXIT)) process.once(signal, onSignal);
  const started = Date.now();
  const running = await startE2eStack(projectConfig.rootDir);
  globalThis.__TWOFOLD_E2E__ = {
    ...running,
    stop: async () => {
      for (const signal of Object.keys(SIGNAL_EXIT)) process.removeListener(signal, onSignal);
      await running.stop();
    },
  };
  process.env[E2E_STACK_ENV] = JSON.stringify(running.stack);
  process.stderr.write(`\ne2e stack ready in ${Date.now() - started} ms at ${running.stack.baseUrl} (logs: ${running.stack.logDir})\n`);
}
