import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A `playerpass serve` child process on a port of its own. */
export interface NodeProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

/** A port nobody listened on a moment ago: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/**
 * Spawns `node src/cli/main.ts serve` with exactly `env` (plus PATH and HOME, and a port it picks),
 * and resolves once GET /readyz answers 200. PLAYERPASS_TEST_* names are dropped: the service
 * refuses unknown PLAYERPASS_* settings.
 */
export async function startNode(env: Record<string, string>): Promise<NodeProcess> {
  const port = await freePort();
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (!name.startsWith('PLAYERPASS_TEST_')) childEnv[name] = value;
  if (process.env.PATH !== undefined) childEnv.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) childEnv.HOME = process.env.HOME;
  childEnv.PLAYERPASS_HOST ??= '127.0.0.1';
  childEnv.PLAYERPASS_PORT = String(port);

  const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
  });
  const stop = async () => {
    if (exitCode !== undefined || exitSignal !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined || exitSignal !== null) {
      throw new Error(`playerpass on port ${port} exited (code ${exitCode}, signal ${exitSignal}) before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`playerpass on port ${port} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, stop, output: () => output };
}
