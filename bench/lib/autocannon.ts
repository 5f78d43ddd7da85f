import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Drives `url` with autocannon for `seconds`; `headers()` may vary per request (e.g. rotate tokens). */
export async function load(options: { url: string; connections: number; seconds: number; method?: 'GET' | 'POST'; headers?: () => Record<string, string>; body?: () => string }): Promise<LoadResult> {
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? 'GET',
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, ...(options.headers?.() ?? {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
          ...(options.body ? { body: options.body() } : {}),
        }),
      },
    ],
  });
  const result = await instance;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
