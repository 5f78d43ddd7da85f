/**
 * The password rules of NIST SP 800-63B and OWASP ASVS 5.0 §6.2: long enough, not absurdly long,
 * any characters, no composition rules, never silently truncated. A password that is little more
 * than the member's own name, email or the service name is refused too. The blocklist of common and
 * breached passwords lives in `common-passwords.ts` and behind the flows' PasswordPolicy port.
 */
export const PASSWORD_MIN_DEFAULT = 8;
/** Kept for callers that have not moved to PasswordRules yet. */
export const PASSWORD_MIN = PASSWORD_MIN_DEFAULT;
export const PASSWORD_MAX = 256;
/** NIST SP 800-63B: 15 when the password is the only factor. Shown as advice, never enforced. */
export const RECOMMENDED_LENGTH_WITHOUT_MFA = 15;

const SERVICE_NAME = 'playerpass';

export interface PasswordRules {
  minLength: number;
  maxLength: number;
}

export interface PasswordContext {
  displayName?: string | undefined;
  email?: string | undefined;
}

export const DEFAULT_PASSWORD_RULES: Readonly<PasswordRules> = Object.freeze({
  minLength: PASSWORD_MIN_DEFAULT,
  maxLength: PASSWORD_MAX,
});

/** Length as a member counts it: code points after NFC, so an emoji or a typed-decomposed é is one. */
export function passwordLength(password: string): number {
  let count = 0;
  for (const _ of password.normalize('NFC')) count++;
  return count;
}

/** Returns a stable error code, or undefined when the password has an acceptable shape. */
export function checkPasswordShape(
  password: string,
  context: PasswordContext,
  rules: PasswordRules,
): string | undefined {
  const length = passwordLength(password);
  if (length === 0) return 'required';
  if (length < rules.minLength) return 'too_short';
  if (length > rules.maxLength) return 'too_long';
  if (isBasedOnKnownWords(password, context)) return 'contains_personal_info';
  return undefined;
}

/** The shape check with the default rules; current callers use it until they switch to the port. */
export function checkPassword(password: string, context: PasswordContext = {}): string | undefined {
  return checkPasswordShape(password, context, DEFAULT_PASSWORD_RULES);
}

// Leet-speak folded to one letter each; `l` and `i` share a letter because `1` and `!` stand for both.
const LEET: Record<string, string> = {
  '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '|': 'i', l: 'i',
  '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '8': 'b', '9': 'g',
};

const lower = (text: string) => text.normalize('NFC').toLowerCase();
const alnum = (text: string) => text.replace(/[^\p{L}\p{N}]/gu, '');
const fold = (text: string) => alnum([...text].map((c) => LEET[c] ?? c).join(''));

/** The words an attacker who knows the member tries first, longest first. */
function knownWords(context: PasswordContext): string[] {
  const whole: string[] = [SERVICE_NAME];
  const parts: string[] = [];
  if (context.displayName) {
    whole.push(context.displayName);
    parts.push(...context.displayName.split(/[^\p{L}\p{N}]+/u));
  }
  if (context.email) {
    const at = context.email.lastIndexOf('@');
    const local = at >= 0 ? context.email.slice(0, at) : context.email;
    const domainLabels = at >= 0 ? context.email.slice(at + 1).split('.').slice(0, -1) : [];
    whole.push(context.email, local);
    parts.push(...local.split(/[^\p{L}\p{N}]+/u), ...domainLabels);
  }
  const words = [...whole.map(lower).filter((w) => alnum(w).length >= 3), ...parts.map(lower).filter((w) => alnum(w).length >= 4)];
  return words;
}

/**
 * True when removing the known words (also reversed, also written in leet-speak) leaves almost
 * nothing: fewer than 4 letters or digits, one repeated character, or just a number of up to 8 digits
 * (a year, a date, a counter), as in `QuasarNova!!`, `avonrasauq`, `playerpass2024!` or `p1ayerpa55`.
 */
function isBasedOnKnownWords(password: string, context: PasswordContext): boolean {
  const words = knownWords(context);
  const typed = lower(password);
  const plain = words.map(alnum);
  const folded = words.map(fold);
  return leavesLittle(alnum(typed), plain) || leavesLittle(fold(typed), folded);
}

function leavesLittle(candidate: string, words: string[]): boolean {
  const all = [...words, ...words.map((w) => [...w].reverse().join(''))]
    .filter((w) => w.length >= 3)
    .sort((a, b) => b.length - a.length);
  let rest = candidate;
  let removed = false;
  for (const word of all) {
    if (rest.includes(word)) {
      rest = rest.split(word).join('');
      removed = true;
    }
  }
  if (!removed) return false;
  return rest.length < 4 || /^(.)\1*$/u.test(rest) || /^\p{N}{1,8}$/u.test(rest);
}
