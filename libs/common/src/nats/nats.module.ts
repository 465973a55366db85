import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { natsServers } from '../config/config.js';
import { EventPublisher } from './event-publisher.js';
import { PrefixedClientNats } from './prefixed-nats.js';
import { RpcClient } from './rpc-client.js';

export interface NatsClientModuleOptions {
  natsUrl: string;
  subjectPrefix: string;
  timeoutMs: number;
  name: string;
}

class NatsClientLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly client: PrefixedClientNats,
    private readonly events: EventPublisher,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    this.events.close();
    await this.client.close().catch(() => undefined);
  }
}

/** Provides `RpcClient` (request-reply to other services) and `EventPublisher` (facts) on one connection. */
@Module({})
export class NatsClientModule {
  static forRoot(options: NatsClientModuleOptions): DynamicModule {
    const client = new PrefixedClientNats(options.subjectPrefix, {
      servers: natsServers(options.natsUrl),
      name: `twofold-${options.name}-client`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // nats.js otherwise builds an Error (a stack capture) on every request, for async stack traces.
      noAsyncTraces: true,
    } as ConstructorParameters<typeof PrefixedClientNats>[1]);
    return {
      module: NatsClientModule,
      global: true,
      providers: [
        { provide: PrefixedClientNats, useValue: client },
        {
          provide: RpcClient,
          useFactory: async () => {
            const rpc = new RpcClient(client, options.timeoutMs);
            await rpc.connect();
            return rpc;
          },
        },
        {
          provide: EventPublisher,
          useFactory: async () => {
            const publisher = new EventPublisher(options.subjectPrefix, () => client.connect());
            // JetStream may be electing a leader (a NATS node just restarted): boot anyway rather than
            // crash-loop; the first publish creates or finds the stream.
            await publisher.ensureStream().catch((err: unknown) => {
              new Logger('EventPublisher').warn({ err: err instanceof Error ? err.message : String(err) }, 'events stream not ready at boot; will retry on first publish');
            });
            return publisher;
          },
        },
        { provide: NatsClientLifecycle, useFactory: (events: EventPublisher) => new NatsClientLifecycle(client, events), inject: [EventPublisher] },
      ],
      exports: [RpcClient, EventPublisher, PrefixedClientNats],
    };
  }
}
