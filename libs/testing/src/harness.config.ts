/**
 * The harness's one window on the environment: the test settings it reads (`TEST_DATABASE_URL`,
 * `TEST_NATS_URL`, `TEST_REPLICAS`, …), the run descriptions its global setups hand to jest workers, and
 * what child processes inherit. Services never read the environment except through their config module;
 * neither does the rest of the harness.
 */
export function harnessEnv(): NodeJS.ProcessEnv {
  return process.env;
}
