import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

const { Check, base } = interactionPolicy;

export interface PolicyHooks {
  /** The operator's message while new authorizations are switched off (capability `oidc`), else undefined. */
  paused(): string | undefined;
  /** The subject of the member signed in to playerpass in this browser, if any. */
  currentSubject(ctx: KoaContextWithOIDC): Promise<string | undefined>;
}

/**
 * oidc-provider's login and consent prompts, plus two checks that run on every authorization:
 * - the `oidc` maintenance switch: while it is off the client gets `temporarily_unavailable`;
 * - the playerpass session is the single sign-on session: once the member signs out of playerpass
 *   (or another member signs in), oidc-provider's own session no longer counts and they sign in again.
 */
export function interactionPolicyFor(hooks: PolicyHooks): ReturnType<typeof base> {
  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(
    new Check('playerpass_paused', 'new sign-ins are paused', () => {
      const message = hooks.paused();
      if (message !== undefined) throw new errors.TemporarilyUnavailable(message);
      return Check.NO_NEED_TO_PROMPT;
    }),
    0,
  );
  login.checks.add(
    new Check('playerpass_session', 'the playerpass session ended or belongs to another member', async (ctx) => {
      const sub = ctx.oidc.session?.accountId;
      if (!sub) return Check.NO_NEED_TO_PROMPT;
      return (await hooks.currentSubject(ctx)) === sub ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
