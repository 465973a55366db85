import { ErrorCodes } from '#common';
import { describeError, ERROR_MESSAGES, errorDetailLines } from './errors.js';

describe('UI error messages', () => {
  it('has a message of its own for every API error code (add one in apps/gateway/ui/src/errors.ts)', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !(code in ERROR_MESSAGES));
    expect(missing).toEqual([]);
  });

  it("falls back to the API's message for a code it does not know", () => {
    expect(describeError({ status: 418, code: 'SOMETHING_NEW', message: 'The API says so.' })).toBe('The API says so.');
  });

  it("shows the API's own message for a safelist that would lock the holder out", () => {
    const message = 'This safelist would lock you out: your current address 192.0.2.7 is not in it. Add 192.0.2.7 (or a range containing it) first.';
    expect(describeError({ status: 409, code: 'SAFELIST_LOCKS_OUT_ACTOR', message, details: { currentIp: '192.0.2.7' } })).toBe(message);
  });

  it('names each invalid safelist entry from the 400 details', () => {
    const lines = errorDetailLines({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'The IP safelist has 2 invalid entries.',
      details: { invalidEntries: [{ index: 0, entry: 'not-an-ip', problem: 'is not an IP address' }, { index: 1, entry: '10.0.0.0/33', problem: 'has a prefix out of range' }] },
    });
    expect(lines).toEqual(['not-an-ip: is not an IP address', '10.0.0.0/33: has a prefix out of range']);
  });

  it('includes the correlation id of an internal error, so support can find it', () => {
    expect(describeError({ status: 500, code: 'INTERNAL', message: 'Internal error.', details: { correlationId: 'abc-123' } })).toContain('abc-123');
  });
});
