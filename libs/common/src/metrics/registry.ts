import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, labelled with the service name. Metrics are created on first
 * use and found again by name afterwards, so code that runs twice in one process (tests that start
 * several apps in-process) never registers a metric twice.
 */
let registry: Registry | undefined;
let defaultsCollected = false;

export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function metricsRegistry(): Registry {
  registry ??= new Registry();
  return registry;
}

/** Names the process (`service` label on every series) and starts the default process metrics. */
export function initMetrics(service: string): Registry {
  const reg = metricsRegistry();
  reg.setDefaultLabels({ service });
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics({ register: reg, prefix: 'twofold_' });
  }
  return reg;
}

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const reg = metricsRegistry();
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [reg] });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const reg = metricsRegistry();
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [reg] });
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets = LATENCY_BUCKETS): Histogram<L> {
  const reg = metricsRegistry();
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames, buckets, registers: [reg] });
}

/** The text exposition format and its content type, for whatever serves `/metrics`. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const reg = metricsRegistry();
  return { contentType: reg.contentType, body: await reg.metrics() };
}
