import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * One Prometheus registry per process. Metric names are prefixed `tms_` (token-metadata-squid).
 * Components receive the Metrics object; nothing registers into prom-client's global registry.
 */
export class Metrics {
  readonly registry = new Registry()

  constructor(readonly defaultLabels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(defaultLabels)
    collectDefaultMetrics({ register: this.registry, prefix: 'tms_process_' })
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(name, () => new Counter({ name: `tms_${name}`, help, labelNames, registers: [this.registry] }))
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate(name, () => new Gauge({ name: `tms_${name}`, help, labelNames, registers: [this.registry] }))
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return this.getOrCreate(
      name,
      () => new Histogram({ name: `tms_${name}`, help, labelNames, buckets, registers: [this.registry] }),
    )
  }

  /** Text exposition format for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics()
  }

  private getOrCreate<T>(name: string, create: () => T): T {
    return (this.registry.getSingleMetric(`tms_${name}`) as T | undefined) ?? create()
  }
}
