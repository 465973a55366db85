import type { ErrorCode } from './error-codes.js';

/** Shape of an error as it travels over NATS and leaves the gateway (`{error: RpcErrorBody}`). */
export interface RpcErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * A rule of the domain was broken. Thrown by use cases, carried over NATS as-is, turned into one HTTP
 * status by the gateway. Never put a secret in `message` or `details`: both reach the client.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): RpcErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}
