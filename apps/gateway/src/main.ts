import 'reflect-metadata';
import { createLogger, NestPinoLogger } from '#common';
import { loadGatewayConfig, type GatewayConfig } from './gateway.config.js';
import { createGateway } from './gateway.app.js';
import { registerUi } from './ui/ui.static.js';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    console.error(`gateway: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const app = await createGateway(config);
  await registerUi(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  new NestPinoLogger(createLogger('gateway', config.LOG_LEVEL)).log(`gateway listening on http://${config.HOST}:${config.PORT}`);
}

await main();
