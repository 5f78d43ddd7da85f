import { checkPasswordShape, type PasswordRules } from '../../domain/password-policy.ts';

export interface PasswordPolicy {
  /** A stable error code (`required`, `too_short`, `too_long`, `contains_personal_info`, `common_password`, `breached_password`) or undefined. */
  check(password: string, context: { displayName?: string; email?: string }): Promise<string | undefined>;
  rules: PasswordRules;
}

export interface PasswordPolicyParts {
  rules: PasswordRules;
  common: { has(password: string): boolean };
  breached: { isBreached(password: string): Promise<boolean> };
}

/**
 * The whole password policy for join, change and reset: the pure shape rules first, then the
 * shipped blocklist, and only then the (optional, remote) breach check, so a password refused
 * locally never leaves the process even as a hash prefix.
 */
export function createPasswordPolicy(parts: PasswordPolicyParts): PasswordPolicy {
  const { rules, common, breached } = parts;
  return {
    rules,
    async check(password, context) {
      const shape = checkPasswordShape(password, context, rules);
      if (shape) return shape;
      if (common.has(password)) return 'common_password';
      if (await breached.isBreached(password)) return 'breached_password';
      return undefined;
    },
  };
}
