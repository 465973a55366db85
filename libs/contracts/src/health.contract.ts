import { rpc } from '#common';

export interface PingReply {
  service: string;
  ok: boolean;
  /** Whether the service's database answered. */
  database: boolean;
}

export const HealthSubjects = {
  auth: rpc<Record<string, never>, PingReply>('auth.health.ping'),
  mfa: rpc<Record<string, never>, PingReply>('mfa.health.ping'),
  accounts: rpc<Record<string, never>, PingReply>('accounts.health.ping'),
} as const;
