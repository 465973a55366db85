import { z } from 'zod';
import ipaddr from 'ipaddr.js';
import { commonSettings, loadConfig, schemas, type Env } from '#common';

const gatewaySettings = {
  ...commonSettings,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Peers whose `X-Forwarded-For` is believed (IPs or CIDR ranges, comma separated). Empty: the socket's
   * address is the client's, whatever the headers say.
   */
  TRUSTED_PROXIES: schemas.csv.refine(
    (entries) => entries.every((entry) => ipaddr.isValid(entry) || isCidr(entry)),
    'must be a comma-separated list of IP addresses or CIDR ranges',
  ),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(64 * 1024),
  /** Serve the OpenAPI document and explorer at /docs (some operators turn it off in production). */
  /**
   * How long a session auth called live is trusted without asking again (ms); revocations are signalled
   * to every gateway at once, so this only bounds what a lost signal could leave. 0: ask auth every time.
   */
  SESSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  API_DOCS: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
};

function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env?: Env) {
  return loadConfig(gatewaySettings, env);
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
