/**
 * Serves the built web UI (dist/apps/gateway/ui, made by `npm run build`) at `/`.
 *
 * The UI is a handful of static files with hash-based routing, so only the files that exist at start-up
 * get a route (`wildcard: false`): nothing here can shadow `/api/v1`, `/docs` or `/health`, and unknown
 * paths still reach the API's own 404. Headers are added in an encapsulated plugin scope, so they apply
 * to the UI's files only, not to API answers.
 */
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the UI: `dist/apps/gateway/ui`, two levels up from this compiled file. */
export const UI_ROOT = fileURLToPath(new URL('../../ui/', import.meta.url));

/**
 * The UI runs only its own scripts and styles (no inline code, no third party), talks only to this
 * origin, and shows images only from itself or `data:` URLs (the QR code is a PNG data URL).
 * Trusted Types: the UI never assigns HTML strings, so any DOM-XSS sink is refused outright.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types',
].join('; ');

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': UI_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  // Files are not content-hashed: always revalidate (cheap, ETag) so a deploy is seen at once.
  'cache-control': 'no-cache',
};

/** Registers the UI's files. Answers false (and logs why) when the UI was not built. */
export async function registerUi(app: NestFastifyApplication, root: string = UI_ROOT): Promise<boolean> {
  const logger = new Logger('ui');
  if (!existsSync(join(root, 'index.html'))) {
    logger.warn(`web UI not served: ${join(root, 'index.html')} is missing (run \`npm run build\`)`);
    return false;
  }
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(async (scope: FastifyInstance) => {
    scope.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      void reply.headers(UI_SECURITY_HEADERS);
      return payload;
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      serveDotFiles: false,
      cacheControl: false,
      redirect: false,
    });
  });
  return true;
}
