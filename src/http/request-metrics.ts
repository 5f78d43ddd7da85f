import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../ops/metrics.ts';

/**
 * Times every answer by route pattern. Requests that matched no route share one label, so a scan of
 * random URLs cannot grow the metric without bound.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
