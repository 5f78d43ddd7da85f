import { type Block, type MailContext, type Template, field, renderLayout, TemplateError } from './layout.ts';

/**
 * The notice to a member affected by a security incident: what happened, what information, what it
 * could mean, what we did, what they can do, whom to ask — the content GDPR Art. 34 and the US state
 * notice laws ask for, in the headings of California's model notice. No buttons or sign-in links:
 * a breach notice that asks to click is what phishing after a breach looks like.
 *
 * An operator may replace the body with their own plain text (`textTemplate`), using {{placeholders}}.
 */
const TEMPLATE = 'incident_notice';

export const CATEGORY_WORDS: Readonly<Record<string, string>> = Object.freeze({
  names: 'your display name',
  emails: 'your email address',
  birthdates: 'your date of birth',
  password_hashes: 'your password hash (your password itself was never stored)',
});

export const NOTICE_PLACEHOLDERS = [
  'displayName',
  'title',
  'windowFrom',
  'windowTo',
  'dataInvolved',
  'consequences',
  'actionsTaken',
  'whatToDo',
  'contact',
  'productName',
  'publicUrl',
] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
export const NOTICE_TEMPLATE_MAX = 20_000;

/** Why an operator's notice text cannot be used, or undefined when it can. */
export function checkNoticeTemplate(text: string): string | undefined {
  if (text.trim().length === 0) return 'the notice template is empty';
  if (text.length > NOTICE_TEMPLATE_MAX) return `the notice template is longer than ${NOTICE_TEMPLATE_MAX} characters`;
  const unknown = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) return `unknown placeholder(s) ${[...new Set(unknown)].map((n) => `{{${n}}}`).join(', ')}; known: ${NOTICE_PLACEHOLDERS.join(', ')}`;
  return undefined;
}

function sections(data: Record<string, string>, context: MailContext) {
  const categories = field(data, 'data', TEMPLATE).split(',').filter(Boolean);
  const words = categories.map((c) => {
    const phrase = Object.hasOwn(CATEGORY_WORDS, c) ? CATEGORY_WORDS[c] : undefined;
    if (!phrase) throw new TemplateError(`mail template ${TEMPLATE}: unknown data category "${c}"`);
    return phrase;
  });
  const has = (c: string) => categories.includes(c);
  const consequences = [
    ...(has('emails') || has('names') ? ['You may get emails or messages that pretend to come from us, or that use your details to look genuine (phishing).'] : []),
    ...(has('birthdates') ? ['Your date of birth could be used, with other information, to try to pass as you with other services.'] : []),
    ...(has('password_hashes')
      ? ['Someone could use the password hash to try to guess your password; short, common or reused passwords are the easiest to guess.']
      : []),
  ];
  const signedOut = field(data, 'signedOut', TEMPLATE) === 'yes';
  const mustReset = field(data, 'mustReset', TEMPLATE) === 'yes';
  const actions = [
    ...(signedOut ? ['We signed your account out on every device.'] : []),
    ...(mustReset ? ['We require a new password for your account: the next time you sign in, we will email you a link to choose one.'] : []),
    'We are looking into how this happened.',
  ];
  const passwordStep = mustReset
    ? `Sign in at ${context.publicUrl} and choose a new password with the link we then email you.`
    : `Choose a new password at ${context.publicUrl}/forgot.`;
  const whatToDo = [
    `${passwordStep} Pick one you do not use anywhere else. Type our address yourself rather than following links in messages.`,
    'If you used the same password on other sites or apps, change it there too.',
    'Be wary of emails, messages or calls that claim to come from us. We will never ask you for your password.',
  ];
  return { words, consequences, actions, whatToDo };
}

export const incidentNotice: Template = (data, context) => {
  const { words, consequences, actions, whatToDo } = sections(data, context);
  const title = field(data, 'title', TEMPLATE);
  const windowFrom = field(data, 'windowFrom', TEMPLATE);
  const windowTo = field(data, 'windowTo', TEMPLATE);
  const contact = field(data, 'contact', TEMPLATE);
  const displayName = field(data, 'displayName', TEMPLATE);
  const subject = `Important: a security incident involving your ${context.productName} account`;
  const heading = 'A security incident involved your account';

  const custom = Object.hasOwn(data, 'textTemplate') ? data.textTemplate : undefined;
  if (custom !== undefined) {
    const problem = checkNoticeTemplate(custom);
    if (problem) throw new TemplateError(`mail template ${TEMPLATE}: ${problem}`);
    const values: Record<string, string> = {
      displayName,
      title,
      windowFrom,
      windowTo,
      dataInvolved: words.map((w) => `- ${w}`).join('\n'),
      consequences: consequences.join('\n'),
      actionsTaken: actions.join('\n'),
      whatToDo: whatToDo.map((w) => `- ${w}`).join('\n'),
      contact,
      productName: context.productName,
      publicUrl: context.publicUrl,
    };
    // One pass: a value that itself contains {{…}} (a display name, say) is never expanded.
    const filled = custom.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '').replace(/\r\n?/g, '\n').trim();
    const blocks: Block[] = filled.split('\n').filter((line) => line.trim() !== '').map((line) => ({ paragraph: line }));
    const rendered = renderLayout({ subject, heading, blocks }, context);
    const footer = rendered.text.slice(rendered.text.lastIndexOf('-- \n'));
    return { ...rendered, text: `${filled}\n\n${footer}` };
  }

  return renderLayout(
    {
      subject,
      heading,
      greet: displayName,
      blocks: [
        { paragraph: `What happened: ${title}. It happened between ${windowFrom} and ${windowTo}. We are writing to you because information from your ${context.productName} account was involved.` },
        { paragraph: 'What information was involved:' },
        ...words.map((w) => ({ paragraph: `• ${w}` })),
        ...(consequences.length > 0 ? [{ paragraph: `What this could mean for you: ${consequences.join(' ')}` }] : []),
        { paragraph: `What we are doing: ${actions.join(' ')}` },
        { paragraph: 'What you can do:' },
        ...whatToDo.map((w) => ({ paragraph: `• ${w}` })),
        { paragraph: `For more information: if you have questions, contact us at ${contact}.` },
        { note: 'We are sending this notice to every member whose account was affected.' },
      ],
    },
    context,
  );
};
