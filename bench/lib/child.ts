import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Child {
  process: ChildProcess;
  url: string;
  /** Resident set size of the child right now, in MiB. */
  rssMiB(): number;
  /** The same, summed over the child and its own children (`serve --workers N`). */
  treeRssMiB(): number;
  stop(): Promise<void>;
}

/** The V8 flags `npm start` and bin/playerpass.mjs give the server, so benches measure what runs. */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=4'];

/** Starts a Node script as a separate process and waits until `readyPath` answers 200. */
export async function startChild(script: string, args: string[], env: Record<string, string>, readyPath = '/healthz'): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(script === 'src/cli/main.ts' ? SERVE_NODE_FLAGS : []), script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PLAYERPASS_PORT: String(port), BENCH_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${stderr}`);
    try {
      if ((await fetch(url + readyPath)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${script} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    process: child,
    url,
    rssMiB: () => Math.round(rssKiB(child.pid!) / 1024),
    treeRssMiB: () => Math.round([child.pid!, ...childrenOf(child.pid!)].reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // gone meanwhile
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
