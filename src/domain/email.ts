/**
 * Email addresses as members type them. `normaliseEmail` gives the form used for the blind index:
 * trimmed, NFC, lower-cased (providers treat addresses case-insensitively in practice, and a member
 * who types their address in capitals once must still find their account).
 */
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

export function cleanEmail(input: string): string {
  return input.normalize('NFC').trim();
}

export function normaliseEmail(input: string): string {
  return cleanEmail(input).toLowerCase();
}

/** Returns an error code, or undefined when the address is acceptable. */
export function checkEmail(input: string): string | undefined {
  const email = cleanEmail(input);
  if (email.length === 0) return 'required';
  if (email.length > 254) return 'too_long';
  const local = email.slice(0, email.lastIndexOf('@'));
  if (!EMAIL.test(email) || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'invalid_email';
  }
  return undefined;
}

/** `jane@example.com` → `j***@e***.com`: enough for a member to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = cleanEmail(email).split('@');
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}***@${host.slice(0, 1)}***${tld}`;
}
