import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError } from '#common';
import { toErrorResponse } from './error-response.js';

describe('toErrorResponse', () => {
  it('maps each domain code to its one HTTP status and keeps its details', () => {
    const response = toErrorResponse(new DomainError('MFA_LOCKED', 'Locked.', { lockedUntil: 'x' }), 'req-1');
    expect(response.status).toBe(423);
    expect(response.body).toEqual({ error: { code: 'MFA_LOCKED', message: 'Locked.', details: { lockedUntil: 'x' }, requestId: 'req-1' } });
  });

  it("gives Fastify's own errors a stable code", () => {
    expect(toErrorResponse({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(toErrorResponse({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }).status).toBe(415);
  });

  it('maps framework HTTP exceptions to codes', () => {
    expect(toErrorResponse(new NotFoundException()).body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(toErrorResponse(new BadRequestException()).body.error.code).toBe('MALFORMED_REQUEST');
  });

  it('answers anything unknown with a 500, a correlation id and nothing of the cause', () => {
    const response = toErrorResponse(new Error('password=hunter2 leaked in a stack'));
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('INTERNAL');
    expect(response.body.error.details?.correlationId).toEqual(expect.any(String));
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    expect(response.unexpected).toBeInstanceOf(Error);
  });
});
