import { chmodSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import { messageIdFor, type MailTransport } from './transport.ts';

const LINK = /https?:\/\/[^\s<>"')\]]+/g;

/**
 * For development without an SMTP server: each mail becomes an RFC 5322 .eml file in `dir`
 * (mode 0700, files 0600), and `log` gets a line naming the file and the links in the mail, so the
 * links can be followed straight from the console. The line never names the recipient.
 */
export function createFileTransport(dir: string, log: (line: string) => void): MailTransport {
  const target = resolve(dir);
  if (mkdirSync(target, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(target, 0o700);
  const transporter = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    describe: `files in ${target}`,
    async send(message) {
      const info = await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.id),
      });
      if (!Buffer.isBuffer(info.message)) throw new Error('stream transport did not return a buffer');
      const stamp = new Date().toISOString().replace(/[-:.]/g, '');
      const file = join(target, `${stamp}-${message.id.replace(/[^\w-]/g, '_')}.eml`);
      await writeFile(file, info.message, { mode: 0o600, flag: 'wx' });
      const links = [...new Set(message.text.match(LINK) ?? [])];
      log(`mail "${message.subject}" written to ${file}${links.length ? ` links: ${links.join(' ')}` : ''}`);
    },
    async close() {
      transporter.close();
    },
  };
}
