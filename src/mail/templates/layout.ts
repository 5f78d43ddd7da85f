/**
 * The one layout every mail shares. A template describes its mail as a subject, a heading and a
 * few blocks; this turns that into a plain-text body and a simple, accessible HTML body. Every value
 * is escaped for HTML here, so a template never writes markup itself.
 */
export interface MailContext {
  productName: string;
  publicUrl: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type Block = { paragraph: string } | { button: string; href: string } | { note: string };

export interface MailContent {
  subject: string;
  heading: string;
  /** The member's display name for the greeting; omitted when the mail is not to a known member. */
  greet?: string | undefined;
  blocks: Block[];
}

export type Template = (data: Record<string, string>, context: MailContext) => RenderedMail;

/** A template that cannot be rendered: unknown name or missing data. Retrying will not help. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Reads a required value; a link must be an absolute http(s) URL. */
export function field(data: Record<string, string>, key: string, template: string): string {
  const value = Object.hasOwn(data, key) ? data[key] : undefined;
  if (typeof value !== 'string') throw new TemplateError(`mail template ${template} needs "${key}"`);
  return value;
}

export function link(data: Record<string, string>, key: string, template: string): string {
  const value = field(data, key, template);
  if (!/^https?:\/\/[^\s]+$/i.test(value)) throw new TemplateError(`mail template ${template}: "${key}" is not an http(s) link`);
  return value;
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function blockText(block: Block): string {
  if ('button' in block) return `${block.button}:\n${block.href}`;
  return 'note' in block ? block.note : block.paragraph;
}

function blockHtml(block: Block): string {
  if ('button' in block) {
    const href = escapeHtml(block.href);
    return (
      `<p style="margin:24px 0;"><a href="${href}" style="display:inline-block;background:#1d4ed8;color:#ffffff;` +
      `padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold;">${escapeHtml(block.button)}</a></p>\n` +
      `<p style="margin:0 0 16px;font-size:14px;color:#52525b;">If the button does not work, copy this link into your browser:<br>` +
      `<a href="${href}" style="color:#1d4ed8;word-break:break-all;">${href}</a></p>`
    );
  }
  if ('note' in block) return `<p style="margin:0 0 16px;font-size:14px;color:#52525b;">${escapeHtml(block.note)}</p>`;
  return `<p style="margin:0 0 16px;">${escapeHtml(block.paragraph)}</p>`;
}

export function renderLayout(content: MailContent, context: MailContext): RenderedMail {
  const greeting = content.greet === undefined ? undefined : content.greet ? `Hi ${content.greet},` : 'Hi,';
  const footer = `${context.productName} — this is an automated message.`;
  const textParts = [...(greeting ? [greeting] : []), ...content.blocks.map(blockText), `-- \n${footer}`];
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;${FONT};font-size:16px;line-height:1.5;color:#18181b;">
<h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;">${escapeHtml(content.heading)}</h1>
${greeting ? `<p style="margin:0 0 16px;">${escapeHtml(greeting)}</p>\n` : ''}${content.blocks.map(blockHtml).join('\n')}
</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #e4e4e7;${FONT};font-size:13px;color:#52525b;">${escapeHtml(footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return { subject: content.subject, text: `${textParts.join('\n\n')}\n`, html };
}
