import { loadHarness } from './load-harness.mjs';

/** Starts the one stack the whole e2e project shares; tests read it with `e2eStack()` from #testing. */
export default async function e2eGlobalSetup(_globalConfig, projectConfig) {
  const { startE2eStack, E2E_STACK_ENV } = await loadHarness();
  const started = Date.now();
  const running = await startE2eStack(projectConfig.rootDir);
  globalThis.__TWOFOLD_E2E__ = running;
  process.env[E2E_STACK_ENV] = JSON.stringify(running.stack);
  process.stderr.write(`\ne2e stack ready in ${Date.now() - started} ms at ${running.stack.baseUrl} (logs: ${running.stack.logDir})\n`);
}
