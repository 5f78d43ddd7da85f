#!/usr/bin/env node
// The package's command. Node >= 22.18 runs the TypeScript sources directly (type stripping).
await import('../src/cli/main.ts');
