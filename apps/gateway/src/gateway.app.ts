/**
 * The gateway as an application object: Fastify with our error shape, request context, validation and
 * OpenAPI. `main.ts` listens with it; integration tests build one in-process.
 */
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  countDomainEvents,
  createLogger,
  gauge,
  histogram,
  initMetrics,
  NestPinoLogger,
  PrefixedClientNats,
  renderMetrics,
  requestContext,
  sanitizeRequestId,
  strictValidationPipe,
} from '#common';
import type { AuthenticatedRequest } from './auth/principal.js';
import type { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { canonicalIp } from './http/client-ip.js';
import { toErrorResponse } from './http/error-response.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { domainEventRules } from './metrics/domain-metrics.js';

export async function createGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from these peers (proxy-addr semantics); otherwise the socket wins.
    trustProxy: config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false,
    genReqId: (req: { headers: Record<string, unknown> }) => sanitizeRequestId(req.headers['x-request-id']),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    logger: false,
    // Errors Fastify raises before routing (a URL that is not valid UTF-8) and the HTTP parser's own
    // refusals (headers too large, garbage) get our error shape and a stable code too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const response = toErrorResponse(error, request.id);
      void reply.status(response.status).header('cache-control', 'no-store').send(response.body);
    },
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger),
    // Fastify's own JSON parser only (with the limits above); Nest would add form and text parsers.
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only: any other body type is a 415, not a string that fails validation later.
  fastify.removeContentTypeParser(['text/plain']);
  // Runs right before the handler (after body parsing), so guards, controllers and NATS calls all see it.
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const clientIp = canonicalIp(request.ip);
    (request as AuthenticatedRequest).clientIp = clientIp;
    void reply.header('x-request-id', request.id);
    requestContext.run({ requestId: request.id, ip: clientIp }, done);
  });

  registerMetrics(fastify);
  drainOnClose(fastify);
  countDomainEvents(await app.get(PrefixedClientNats).connect(), config.NATS_SUBJECT_PREFIX, domainEventRules());

  app.setGlobalPrefix('api/v1', { exclude: [{ path: 'health/{*path}', method: RequestMethod.ALL }] });
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  if (config.API_DOCS) setUpDocs(app);
  return app;
}

/**
 * Prometheus: `GET /metrics` (outside /api/v1 and the OpenAPI document, as a plain Fastify route) and
 * one latency histogram of every HTTP request by method, route template and status class. Route
 * templates (`/api/v1/accounts/:accountId/users`), never raw URLs, so ids cannot explode cardinality.
 */
function registerMetrics(fastify: FastifyInstance): void {
  initMetrics('gateway');
  const requests = histogram('twofold_http_request_duration_seconds', 'HTTP requests by method, route template and status class.', [
    'method',
    'route',
    'status_class',
  ] as const);
  const inFlight = gauge('twofold_http_requests_in_flight', 'HTTP requests received and not yet answered.', [] as const);
  fastify.addHook('onRequest', (_request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    inFlight.inc();
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    inFlight.dec();
    const route = request.routeOptions?.url ?? 'unmatched';
    if (route !== '/metrics') {
      requests.observe({ method: request.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    }
    done();
  });
  fastify.get('/metrics', async (_request: FastifyRequest, reply: FastifyReply) => {
    const { contentType, body } = await renderMetrics();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/** What the HTTP parser refused, answered in our shape before the socket is closed (as Node itself does). */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'The request headers are too large.']
        : [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * Graceful shutdown: on close Fastify stops accepting connections and answers requests already
 * received, but a keep-alive socket that was busy at that moment stays open afterwards (Fastify only
 * reaps sockets idle at close time), holding the process up for the whole keep-alive timeout. Every
 * response sent while closing therefore says `Connection: close`, so its socket ends with it.
 */
function drainOnClose(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done: () => void) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    if (closing && request.raw.httpVersionMajor < 2) void reply.header('connection', 'close');
    done(null, payload);
  });
}

function setUpDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Twofold API')
      .setDescription('Multi-factor authentication for multi-tenant SaaS products. Errors: {"error":{"code","message","details?"}}.')
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'supportKey')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
