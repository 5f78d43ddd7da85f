import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface NextRequest {
  headers?: Record<string, string>;
  body?: string;
}

/** Drives `url` with autocannon for `seconds`; `next()` shapes each request (e.g. rotate tokens or IPs). */
export async function load(options: { url: string; connections: number; seconds: number; method?: 'GET' | 'POST'; next?: () => NextRequest }): Promise<LoadResult> {
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? 'GET',
    requests: [
      {
        setupRequest: (request) => {
          const next = options.next?.() ?? {};
          return {
            ...request,
            headers: { ...request.headers, ...next.headers, ...(next.body !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(next.body !== undefined ? { body: next.body } : {}),
          };
        },
      },
    ],
  });
  const result = await instance;
  return {
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
