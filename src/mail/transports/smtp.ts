import { createTransport } from 'nodemailer';
import { messageIdFor, type MailTransport } from './transport.ts';

/**
 * Sends through an SMTP server given as smtp://[user:pass@]host:port (STARTTLS is used when the
 * server offers it) or smtps://… (TLS from the start). Timeouts are kept well under the outbox
 * lease, so a hung server makes the send fail and be retried instead of holding the mail.
 */
export function createSmtpTransport(url: string): MailTransport {
  const transporter = createTransport({
    url,
    // Reuse connections: a burst (an incident notice to every affected member) would otherwise pay
    // a full SMTP handshake per mail. `?pool=false` in the URL turns it off.
    pool: new URL(url).searchParams.get('pool') !== 'false',
    maxConnections: 2,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    describe: describeSmtpUrl(url),
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.id),
      });
    },
    async close() {
      transporter.close();
    },
  };
}

/** The URL without its user name and password. */
export function describeSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'smtp (unparsable url)';
  }
}
