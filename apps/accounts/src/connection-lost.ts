import { DomainError } from '#common';

const RELEASED = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

/**
 * When PostgreSQL goes away in the middle of a transaction, TypeORM releases the transaction's connection
 * and the next query in it fails with "query runner already released" rather than a connection error.
 * That is the database being unavailable (503, retry), not a bug (500). (Belongs in `isDatabaseUnavailable`
 * in libs/common; kept here until it moves there.)
 */
export function asConnectionLost(err: unknown): unknown {
  if (err instanceof Error && RELEASED.has(err.name)) {
    return new DomainError('SERVICE_UNAVAILABLE', 'The service cannot reach its database right now; try again shortly.');
  }
  return err;
}
