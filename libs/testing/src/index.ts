/**
 * Test harness and stack tooling, imported as `#testing`: factories and an HTTP client for tests,
 * per-run database and NATS isolation, and the process management that both the e2e harness and
 * `npm start` use to run the four services.
 */
export * from './harness.config.js';
export * from './process/managed-process.js';
export * from './process/service-stack.js';
export * from './process/wait.js';
export * from './infra/postgres.js';
export * from './infra/nats.js';
export * from './infra/secrets.js';
export * from './http/api-client.js';
export * from './factories/factories.js';
export * from './runs/test-run.js';
export * from './runs/e2e-stack.js';
export * from './runs/int-run.js';
export * from './factories/authenticator.js';
export * from './mail/mailbox.js';
export * from './factories/fake-facts.js';
