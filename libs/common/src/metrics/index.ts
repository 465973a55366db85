export * from './registry.js';
export * from './metrics-server.js';
export * from './rpc-metrics.js';
export * from './event-metrics.js';
