/** One rendered mail, ready to go. `id` is the outbox id; it becomes the Message-ID. */
export interface OutgoingMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mail goes: an SMTP server, or files for local development. `send` rejects on failure. */
export interface MailTransport {
  send(message: OutgoingMail): Promise<void>;
  close(): Promise<void>;
  /** For logs: where mail goes, without credentials. */
  describe: string;
}

/** The Message-ID for an outbox row, the same on every retry so a receiver can drop duplicates. */
export function messageIdFor(id: string): string {
  return `<${id}@playerpass>`;
}
