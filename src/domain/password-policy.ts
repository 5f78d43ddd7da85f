/**
 * The password rules of NIST SP 800-63B: long enough, not absurdly long, any characters, no
 * composition rules, never silently truncated. The member's context (name, email) is refused too.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export interface PasswordContext {
  displayName?: string;
  email?: string;
}

export function checkPassword(password: string, context: PasswordContext = {}): string | undefined {
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length === 0) return 'required';
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  const letters = (text: string) => text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const candidate = letters(normalised);
  const words = [context.displayName, context.email, context.email?.split('@')[0], 'playerpass'];
  for (const word of words) {
    const w = word ? letters(word) : '';
    // The password is little more than a word the attacker already knows.
    if (w.length >= 3 && candidate.includes(w) && candidate.length - w.length < 4) return 'contains_personal_info';
  }
  return undefined;
}
