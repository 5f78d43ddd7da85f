import { hash } from '@node-rs/argon2';
const opts = { algorithm: 2 as any, memoryCost: 19456, timeCost: 2, parallelism: 1, secret: Buffer.alloc(32, 1) };
for (const c of [1, 2, 3]) {
  const n = 60; let i = 0; const t = performance.now();
  await Promise.all(Array.from({ length: c }, async () => { while (i++ < n) await hash('abcdef0123456789abcdef0123456789', opts); }));
  const s = (performance.now() - t) / 1000;
  console.log(c, (n / s).toFixed(1), 'hashes/s');
}
