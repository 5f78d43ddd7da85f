const mu = () => { const m = process.memoryUsage(); return `rss ${m.rss >> 20} heapTotal ${m.heapTotal >> 20} heapUsed ${m.heapUsed >> 20}`; };
console.log('bare', mu());
await import('kysely'); console.log('kysely', mu());
await import('better-sqlite3'); console.log('sqlite', mu());
await import('../src/store/database.ts'); console.log('db', mu());
await import('../src/services.ts'); console.log('services', mu());
