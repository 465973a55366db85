import fc from 'fast-check';
import { strictValidationPipe } from '#common';
import { ListAuditEventsRequest, ListUsersRequest, MfaRequirementRequest, parseMfaRequirementRequest } from './accounts.contract.js';

const pipe = strictValidationPipe();

async function pipeAccepts(data: unknown): Promise<boolean> {
  try {
    await pipe.transform(data, { type: 'body', metatype: MfaRequirementRequest });
    return true;
  } catch {
    return false;
  }
}

function parserAccepts(data: unknown): boolean {
  try {
    parseMfaRequirementRequest(data);
    return true;
  } catch (err) {
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    return false;
  }
}

/** accounts answers `accounts.mfa-requirement.get` outside Nest's pipeline: its parser must agree with the pipe. */
describe('parseMfaRequirementRequest', () => {
  it('answers the request for exactly one UUID field', () => {
    expect(parseMfaRequirementRequest({ userId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10' })).toEqual({ userId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10' });
  });

  it('refuses what the strict validation pipe refuses', async () => {
    const hostile = [
      undefined,
      null,
      'x',
      42,
      [],
      [{ userId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10' }],
      {},
      { userId: 42 },
      { userId: null },
      { userId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a1' },
      { userId: ' 6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10' },
      { userId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10', admin: true },
    ];
    for (const data of hostile) {
      expect([data, parserAccepts(data)]).toEqual([data, await pipeAccepts(data)]);
      expect(parserAccepts(data)).toBe(false);
    }
  });

  it('refuses "__proto__" and "constructor" keys outright (the pipe silently drops them)', async () => {
    for (const json of [
      '{"userId":"6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10","__proto__":{"polluted":true}}',
      '{"userId":"6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10","constructor":{"prototype":{"polluted":true}}}',
    ]) {
      expect(parserAccepts(JSON.parse(json))).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('agrees with the class and the strict pipe on arbitrary payloads', async () => {
    const uuidish = fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.string(), fc.uuid().map((u) => u.slice(1)), fc.uuid().map((u) => `${u} `));
    const payload = fc.oneof(
      fc.record({ userId: uuidish }),
      fc.record({ userId: uuidish }).chain((base) => fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })).map((extra) => ({ ...extra, ...base }))),
      fc.jsonValue({ maxDepth: 3 }),
      fc.anything({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (data) => {
        expect(parserAccepts(data)).toBe(await pipeAccepts(data));
      }),
      { numRuns: 500 },
    );
  });
});

/** Paged list requests share their page, pageSize and actor rules (PagedRequest); services refuse the rest. */
describe('paged list requests over NATS', () => {
  const good = { accountId: '6f1c1f5e-8f8a-4a53-9d3c-7d6b2f1e9a10', page: 1, pageSize: 10, actor: { type: 'system' } };

  it.each([ListUsersRequest, ListAuditEventsRequest])('%p takes a good page and refuses bad page, pageSize and actor', async (cls) => {
    await expect(pipe.transform(good, { type: 'body', metatype: cls })).resolves.toBeInstanceOf(cls);
    for (const bad of [{ page: 0 }, { page: 1.5 }, { page: '1' }, { pageSize: 0 }, { pageSize: 101 }, { actor: { type: 'nobody' } }, { actor: undefined }, { extra: 1 }]) {
      await expect(pipe.transform({ ...good, ...bad }, { type: 'body', metatype: cls })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });
});
