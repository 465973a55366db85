import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RpcClient } from '#common';
import { HealthSubjects } from '#contracts';

const PROBE_TIMEOUT_MS = 2_000;

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly rpc: RpcClient) {}

  /** The process is up. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready only when NATS and a replica of every service (with its database) answer. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const entries = await Promise.all(
      Object.entries(HealthSubjects).map(async ([name, subject]) => {
        const ok = await this.rpc.request(subject, {}, { timeoutMs: PROBE_TIMEOUT_MS }).then(
          (answer) => answer.ok,
          () => false,
        );
        return [name, ok ? 'up' : 'down'] as const;
      }),
    );
    const services = Object.fromEntries(entries);
    const ready = entries.every(([, state]) => state === 'up');
    void reply.status(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'unavailable', services });
  }
}
