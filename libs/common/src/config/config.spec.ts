import { z } from 'zod';
import { commonSettings, ConfigError, loadConfig, natsServers, schemas } from './config.js';

describe('loadConfig', () => {
  it('applies safe defaults when nothing is set', () => {
    const config = loadConfig(commonSettings, {});
    expect(config).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', NATS_SUBJECT_PREFIX: 'twofold', RPC_TIMEOUT_MS: 5000, LOG_LEVEL: 'info' });
  });

  it('fails fast naming every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig(commonSettings, { RPC_TIMEOUT_MS: 'soon', NATS_SUBJECT_PREFIX: 'has.dots', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('RPC_TIMEOUT_MS');
    expect(problems).toContain('NATS_SUBJECT_PREFIX');
    expect(problems).toContain('LOG_LEVEL');
  });

  it('splits comma-separated lists and NATS cluster URLs', () => {
    expect(loadConfig({ LIST: schemas.csv }, { LIST: ' a, b ,,c ' }).LIST).toEqual(['a', 'b', 'c']);
    expect(natsServers('nats://a:4222, nats://b:4222')).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(loadConfig({ N: z.coerce.number().default(3) }, {}).N).toBe(3);
  });
});
