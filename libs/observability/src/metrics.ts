import { Controller, Get, Global, Header, Headers, Inject, Injectable, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import cluster, { Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { sameHash, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';

/** One Prometheus registry per process. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'credence_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly tenantsOnboarded = new Counter({
    name: 'credence_tenants_onboarded_total',
    help: 'Tenants onboarded by this process',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'credence_' });
    // In a cluster the primary collects every worker's registry (prom-client's own protocol).
    if (cluster.isWorker) answerCollects(this.registry);
  }

  /** This process's metrics, or in a cluster's worker the whole cluster's, aggregated by the primary. */
  scrape(): Promise<string> {
    return cluster.isWorker && process.send ? askPrimary() : this.registry.metrics();
  }
}

const SCRAPE = 'credence:metrics-scrape';
const SCRAPED = 'credence:metrics-scraped';
const COLLECT = 'credence:metrics-collect';
const COLLECTED = 'credence:metrics-collected';
/** How long the primary waits for every worker's registry, and a worker for the primary's answer (a little longer). */
const COLLECT_TIMEOUT_MS = 3_000;

interface MetricsMessage {
  type?: string;
  id?: string;
  metrics?: unknown;
  text?: string;
  error?: string;
}

/** A worker hands its registry to the primary when asked (prom-client's JSON form, which the primary aggregates). */
function answerCollects(registry: Registry): void {
  process.on('message', (m: MetricsMessage) => {
    if (m?.type !== COLLECT) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: COLLECTED, id: m.id, metrics }),
      (err: Error) => process.send?.({ type: COLLECTED, id: m.id, error: err.message }),
    );
  });
}

/** One request over the IPC channel, answered by a message of `answer` type with the same id. */
function exchange(
  send: (m: MetricsMessage) => void,
  on: (h: (m: MetricsMessage) => void) => () => void,
  request: MetricsMessage,
  answer: string,
  timeoutMs: number,
): Promise<MetricsMessage> {
  return new Promise((resolve, reject) => {
    const off = on((m) => {
      if (m?.type !== answer || m.id !== request.id) return;
      clearTimeout(timer);
      off();
      resolve(m);
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${answer} in ${timeoutMs} ms`));
    }, timeoutMs);
    send(request);
  });
}

/** A worker asks the primary for the cluster's metrics. */
async function askPrimary(): Promise<string> {
  const onProcess = (h: (m: MetricsMessage) => void) => {
    process.on('message', h);
    return () => void process.off('message', h);
  };
  const answer = await exchange((m) => process.send!(m), onProcess, { type: SCRAPE, id: randomUUID() }, SCRAPED, COLLECT_TIMEOUT_MS + 1_000);
  if (answer.error !== undefined) throw new Error(`cluster metrics: ${answer.error}`);
  return answer.text ?? '';
}

/**
 * In a cluster's primary: answers a worker's scrape with every serving worker's registry,
 * aggregated. Counters and histograms are summed; gauges follow their `aggregator` (sum unless set).
 * Only workers that listen are asked: one still booting has nothing to report yet.
 */
export function answerClusterMetrics(serving: () => Worker[]): void {
  cluster.on('message', (asking, m: MetricsMessage) => {
    if (m?.type !== SCRAPE) return;
    const collect = (w: Worker) =>
      exchange(
        (msg) => w.send(msg),
        (h) => {
          w.on('message', h);
          return () => void w.off('message', h);
        },
        { type: COLLECT, id: randomUUID() },
        COLLECTED,
        COLLECT_TIMEOUT_MS,
      ).then((a) => {
        if (a.error !== undefined) throw new Error(a.error);
        return a.metrics as object;
      });
    Promise.all(serving().map(collect))
      .then((all) => AggregatorRegistry.aggregate(all).metrics())
      .then(
        (text) => asking.isConnected() && asking.send({ type: SCRAPED, id: m.id, text }),
        (err: Error) => asking.isConnected() && asking.send({ type: SCRAPED, id: m.id, error: err.message }),
      );
  });
}

const METRICS_CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="credence-metrics"' };

/**
 * Prometheus's scrape. Open unless METRICS_TOKEN is set; then only `Authorization: Bearer <token>`
 * reads it (the counts of failed sign-ins and security incidents tell an attacker how they are doing).
 */
@ApiExcludeController()
@Public('Prometheus scrape: open, or METRICS_TOKEN as a bearer token')
@Controller()
export class MetricsController {
  private readonly token?: Buffer;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'METRICS_TOKEN'>,
  ) {
    this.token = config.METRICS_TOKEN ? sha256(config.METRICS_TOKEN) : undefined;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (this.token) {
      const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
      if (!presented) throw new DomainError('auth.missing_credentials', undefined, undefined, METRICS_CHALLENGE);
      if (!sameHash(sha256(presented), this.token)) throw new DomainError('auth.invalid_credentials', undefined, undefined, METRICS_CHALLENGE);
    }
    return this.metrics.scrape();
  }
}

@Global()
@Module({ providers: [Metrics], controllers: [MetricsController], exports: [Metrics] })
export class MetricsModule {}
