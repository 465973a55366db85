import { DomainError } from '../errors/domain-error.js';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan, strictValidationPipe } from './rpc-server.js';

describe('payload depth', () => {
  it('measures nesting without recursion, so a hostile depth cannot overflow the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(nestsDeeperThan(deep, MAX_PAYLOAD_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ actor: { type: 'user', userId: 'x' }, list: [[1]] }, MAX_PAYLOAD_DEPTH)).toBe(false);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('refuses a deeply nested payload as VALIDATION_FAILED before class-transformer recurses into it', async () => {
    const deep = JSON.parse('{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000));
    await expect(strictValidationPipe().transform(deep, { type: 'body', metatype: Object })).rejects.toEqual(expect.any(DomainError));
    await expect(strictValidationPipe().transform(deep, { type: 'body', metatype: Object })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
