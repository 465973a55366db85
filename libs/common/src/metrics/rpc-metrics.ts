import { histogram } from './registry.js';

/** Time a NATS handler took, by bare subject and result (`ok` or the error code it answered). */
export function rpcHandlerHistogram() {
  return histogram(
    'twofold_nats_handler_duration_seconds',
    'Time spent answering a NATS request or handling an event, by subject and result (ok or error code).',
    ['subject', 'result'] as const,
  );
}

/** Time a request to another service took as seen by the caller, by subject and result. */
export function rpcClientHistogram() {
  return histogram(
    'twofold_nats_request_duration_seconds',
    'Round trip of a NATS request to another service, by subject and result (ok or error code).',
    ['subject', 'result'] as const,
  );
}
