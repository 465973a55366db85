import { join } from 'node:path';
import { ServiceStack, type ServiceName } from '../process/service-stack.js';
import { freePort } from '../process/wait.js';
import { generateSecrets, randomToken } from '../infra/secrets.js';
import { createTestRun, dropTestRun, type TestRunResources } from './test-run.js';
import { Mailbox } from '../mail/mailbox.js';
import { harnessEnv } from '../harness.config.js';

/**
 * What e2e tests get about the one stack shared by the whole e2e project. globalSetup puts it, as
 * JSON, in the environment variable below; workers inherit it; `e2eStack()` reads it.
 */
export const E2E_STACK_ENV = 'TWOFOLD_E2E_STACK';

export interface E2eStack {
  /** Gateway through 127.0.0.1, which the stack trusts as a proxy: `X-Forwarded-For` sets the client IP. */
  baseUrl: string;
  /** Same gateway through ::1, an untrusted peer: its `X-Forwarded-For` must be ignored. */
  untrustedBaseUrl: string;
  /** Accepted as a support API key (`SUPPORT_BOOTSTRAP_KEY`). */
  supportKey: string;
  databaseUrl: string;
  natsUrl: string;
  prefix: string;
  /** One log file per service. */
  logDir: string;
  /**
   * HTTP API of the stack's inbox (`MailboxClient`): a real SMTP server on loopback that the services
   * send every mail to. Its SMTP side can be stopped and started (mail-outage tests).
   */
  mailUrl: string;
}

export function e2eStack(): E2eStack {
  const raw = harnessEnv()[E2E_STACK_ENV];
  if (!raw) {
    throw new Error(`${E2E_STACK_ENV} is not set: e2e tests run only in the jest "e2e" project (its globalSetup starts the stack).`);
  }
  return JSON.parse(raw) as E2eStack;
}

export interface RunningE2eStack {
  stack: E2eStack;
  stop(): Promise<void>;
}

/**
 * Starts the four compiled services from `dist/` on a fresh database and subject prefix, with fresh
 * secrets, and waits until the gateway reports ready. On failure everything started is cleaned up
 * and the error names the service and the log file to read.
 */
export async function startE2eStack(rootDir: string, env: NodeJS.ProcessEnv = harnessEnv()): Promise<RunningE2eStack> {
  const run: TestRunResources = await createTestRun(env);
  const logDir = join(rootDir, 'test-results', 'logs', run.runId);
  const port = await freePort();
  const supportKey = `tfsk_test_${randomToken(24)}`;
  const logFile = (service: ServiceName) => join(logDir, `${service}.log`);
  let services: ServiceStack | undefined;
  let mailbox: Mailbox | undefined;
  const cleanup = async () => {
    await services?.stop(10_000);
    await mailbox?.stop();
    await dropTestRun(run);
  };
  try {
    mailbox = await Mailbox.start({ control: true });
    services = ServiceStack.start({
      rootDir,
      port,
      replicas: Number(env.TEST_REPLICAS ?? 1) || 1,
      output: (service) => ({ kind: 'file', path: logFile(service) }),
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'info',
        HOST: '::',
        TRUSTED_PROXIES: env.TEST_TRUSTED_PROXIES ?? '127.0.0.1',
        DATABASE_URL: run.databaseUrl,
        DATABASE_POOL_SIZE: '5',
        NATS_URL: run.natsUrl,
        NATS_SUBJECT_PREFIX: run.prefix,
        SUPPORT_BOOTSTRAP_KEY: supportKey,
        // Every test request comes from loopback: per-IP limits are proven by tests that set low ones.
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '100000',
        SMTP_URL: mailbox.smtpUrl,
        MAIL_FROM: 'Twofold <no-reply@twofold.test>',
        // A mail server back from an outage gets the waiting mail within seconds.
        MAIL_RETRY_MAX_SECONDS: '2',
        ...generateSecrets(),
      },
    });
    await services.waitUntilReady({ timeoutMs: Number(env.TEST_READY_TIMEOUT_MS ?? 60_000) });
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nService logs: ${logDir}`);
  }
  return {
    stack: {
      baseUrl: `http://127.0.0.1:${port}`,
      untrustedBaseUrl: `http://[::1]:${port}`,
      supportKey,
      databaseUrl: run.databaseUrl,
      natsUrl: run.natsUrl,
      prefix: run.prefix,
      logDir,
      mailUrl: mailbox.httpUrl,
    },
    stop: cleanup,
  };
}
