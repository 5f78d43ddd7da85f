// The ceiling of one HTTP round trip on this machine: a bare Fastify route answering a constant.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const body = { id: 'constant', displayName: 'Constant', email: 'c@example.com', emailVerified: true, birthDate: '2000-01-01', createdAt: '2026-01-01T00:00:00.000Z' };
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/api/v1/me', async () => body);
await app.listen({ port: Number(process.env.BENCH_PORT), host: '127.0.0.1' });
