import { createHash } from 'node:crypto';

export interface BreachedPasswordCheck {
  isBreached(password: string): Promise<boolean>;
}

export interface BreachedPasswordOptions {
  /** Range endpoint the 5-character hash prefix is appended to, e.g. `https://api.pwnedpasswords.com/range/`; undefined turns the check off. */
  url: string | undefined;
  timeoutMs: number;
  log: { warn(obj: object, msg: string): void };
}

/**
 * The k-anonymity range check of Have I Been Pwned's Pwned Passwords API: only the first 5 hex
 * characters of the password's SHA-1 leave the process, and the answer lists every known suffix
 * under that prefix (`SUFFIX:COUNT` per line). `Add-Padding` asks for decoy lines with count 0, so
 * the response size does not reveal the prefix either; those never count as a match.
 *
 * The service is an extra, not a gate: when it is unreachable, slow or answers anything but 200,
 * the check says "not breached" and logs a warning, so joining keeps working. The log carries
 * neither the password nor its hash prefix.
 */
export function createBreachedPasswordCheck(options: BreachedPasswordOptions): BreachedPasswordCheck {
  const { url, timeoutMs, log } = options;
  if (url === undefined) return { isBreached: async () => false };
  return {
    async isBreached(password) {
      const hash = createHash('sha1').update(password.normalize('NFC'), 'utf8').digest('hex').toUpperCase();
      const prefix = hash.slice(0, 5);
      const suffix = hash.slice(5);
      let body: string;
      try {
        const response = await fetch(`${url}${prefix}`, {
          headers: { 'Add-Padding': 'true', 'User-Agent': 'playerpass', Accept: 'text/plain' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => {});
          log.warn({ event: 'breached_password_check_unavailable', status: response.status }, 'breached-password check answered with an error; password not checked against it');
          return false;
        }
        body = await response.text();
      } catch (error) {
        log.warn({ event: 'breached_password_check_unavailable', reason: describe(error) }, 'breached-password check unreachable; password not checked against it');
        return false;
      }
      for (const line of body.split('\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        if (line.slice(0, colon).trim().toUpperCase() !== suffix) continue;
        const count = Number.parseInt(line.slice(colon + 1).trim(), 10);
        return Number.isFinite(count) && count > 0;
      }
      return false;
    },
  };
}

/** The error's kind only: a message could carry the URL, and with it the hash prefix. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ? `${error.name}:${code}` : error.name;
}
