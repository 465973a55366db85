import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
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
  constructor(private readonly client: PrefixedClientNats) {}
  async onApplicationShutdown(): Promise<void> {
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
    });
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
            await publisher.ensureStream();
            return publisher;
          },
        },
        { provide: NatsClientLifecycle, useFactory: () => new NatsClientLifecycle(client) },
      ],
      exports: [RpcClient, EventPublisher, PrefixedClientNats],
    };
  }
}
