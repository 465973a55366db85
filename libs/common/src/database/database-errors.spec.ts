import { isDatabaseUnavailable } from './database-errors.js';
import { toRpcErrorBody } from '../nats/rpc-error-body.js';
import { DomainError } from '../errors/domain-error.js';

describe('isDatabaseUnavailable', () => {
  it("recognises TypeORM's released query runner: PostgreSQL went away inside a transaction", () => {
    const released = Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' });
    expect(isDatabaseUnavailable(released)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { name: 'QueryRunnerProviderAlreadyReleasedError' }))).toBe(true);
  });

  it('recognises PostgreSQL being down, restarting or out of connections', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable({ message: 'terminating connection due to administrator command', driverError: { code: '57P01' } })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P03', message: 'the database system is starting up' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('leaves query bugs and rule violations alone', () => {
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value' })).toBe(false);
    expect(isDatabaseUnavailable({ driverError: { code: '42P01' }, message: 'relation "x" does not exist' })).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('toRpcErrorBody', () => {
  it('answers an unreachable database as SERVICE_UNAVAILABLE, not INTERNAL', () => {
    const body = toRpcErrorBody(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(body.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.unexpected).toBeUndefined();
  });

  it('keeps domain errors and turns anything else into INTERNAL with a correlation id', () => {
    expect(toRpcErrorBody(new DomainError('USER_NOT_FOUND', 'No.')).code).toBe('USER_NOT_FOUND');
    const body = toRpcErrorBody(new TypeError('boom'));
    expect(body).toMatchObject({ code: 'INTERNAL', unexpected: true, details: { correlationId: expect.any(String) } });
  });
});
