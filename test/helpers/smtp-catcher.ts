import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for tests: it accepts every mail on 127.0.0.1 and keeps it, decoded just enough
 * to read the recipients, the subject and the plain-text body.
 */
export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface SmtpCatcher {
  /** smtp://127.0.0.1:PORT */
  url: string;
  port: number;
  mails: CaughtMail[];
  waitForMail(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  /** The first link in the text body whose pathname is `path`, e.g. '/verify'. Throws if none. */
  linkIn(mail: CaughtMail, path: string): string;
  /** The `token` query parameter of that link. */
  tokenIn(mail: CaughtMail, path: string): string;
  close(): Promise<void>;
}

/** `port` lets a test bring a server back up where a transport already points. */
export async function startSmtpCatcher(options: { port?: number } = {}): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = [];
  const waiters = new Set<(mail: CaughtMail) => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        try {
          const mail = parseMail(Buffer.concat(chunks).toString('utf8'));
          mails.push(mail);
          for (const waiter of waiters) waiter(mail);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('smtp catcher has no port');
  server.on('error', () => {}); // a client hanging up mid-session is not a test failure

  return {
    url: `smtp://127.0.0.1:${address.port}`,
    port: address.port,
    mails,
    waitForMail(predicate, timeoutMs = 5000) {
      const found = mails.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (mail: CaughtMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timeout);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timeout = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms; caught: ${JSON.stringify(mails.map((m) => m.subject))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    linkIn,
    tokenIn(mail, path) {
      const token = new URL(linkIn(mail, path)).searchParams.get('token');
      if (!token) throw new Error(`the link to ${path} in mail "${mail.subject}" has no token`);
      return token;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function linkIn(mail: CaughtMail, path: string): string {
  for (const candidate of mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? []) {
    if (new URL(candidate).pathname === path) return candidate;
  }
  throw new Error(`no link to ${path} in mail "${mail.subject}"`);
}

// --- a minimal MIME reader: enough for what nodemailer sends -------------------------------------

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

export function decodeQuotedPrintable(input: string): Buffer {
  const bytes = Buffer.from(input.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, ''), 'utf8');
  const out: number[] = [];
  const isHex = (b: number | undefined) => b !== undefined && /[0-9A-Fa-f]/.test(String.fromCharCode(b));
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x3d && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = parameter(part.headers.get('content-type') ?? '', 'charset') ?? 'utf-8';
  const bytes =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(part.body)
      : encoding === 'base64'
        ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(part.body, 'utf8');
  return new TextDecoder(charset).decode(bytes);
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
export function decodeHeader(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, text: string) => {
      const bytes = kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}

function findText(part: Part): string | undefined {
  const type = part.headers.get('content-type') ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = parameter(type, 'boundary');
    if (!boundary) return undefined;
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const text = findText(splitPart(section.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
      if (text !== undefined) return text;
    }
    return undefined;
  }
  return /^text\/plain/i.test(type) ? decodeBody(part) : undefined;
}

function addresses(header: string): string[] {
  const list = decodeHeader(header);
  const bracketed = [...list.matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
  return bracketed.length ? bracketed : list.split(',').map((a) => a.trim()).filter(Boolean);
}

function parseMail(raw: string): CaughtMail {
  const message = splitPart(raw);
  return {
    to: addresses(message.headers.get('to') ?? ''),
    subject: decodeHeader(message.headers.get('subject') ?? ''),
    text: findText(message) ?? '',
    raw,
  };
}
