/**
 * The scopes a client may be allowed, the claims each one releases and how the consent page words
 * them. `profile` is only the display name here, and the birth date has a scope of its own, so a
 * client allowed `profile` never learns a member's age.
 */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'birthdate', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** oidc-provider's `claims` setting: scope → the claims it releases. */
export const SCOPE_CLAIMS = {
  // `amr` (how the member signed in, RFC 8176) rides with `openid`, so ID tokens always carry it;
  // oidc-provider takes it from the sign-in, not from the member's claims.
  openid: ['sub', 'amr'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
  birthdate: ['birthdate'],
} as const;

const WORDS: Record<OidcScope, string> = {
  openid: 'Know that it is you: an id for your playerpass account that is the same every time (not your email address).',
  profile: 'Your display name.',
  email: 'Your email address, and whether you have confirmed it.',
  birthdate: 'Your date of birth.',
  offline_access: 'Stay signed in when you are not using it.',
};

/** What the consent page says for a scope; unknown scopes are named as they are. */
export function scopeInWords(scope: string): string {
  return (WORDS as Record<string, string>)[scope] ?? `Access named "${scope}".`;
}
