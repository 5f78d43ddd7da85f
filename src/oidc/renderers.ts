import type { Client, ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import type { SafeHtml } from '../http/layout/html.ts';
import { renderPage } from '../http/layout/page.ts';
import { oauthErrorPage } from './views/error-page.ts';
import { linkConfirm, linkDone, linkInput } from './views/link-pages.ts';
import { loggedOut, logoutConfirm } from './views/logout-pages.ts';

/**
 * The pages oidc-provider renders itself, as playerpass pages: no inline script or style, so the
 * strict Content Security Policy holds. Their forms carry oidc-provider's own session-bound `xsrf`
 * token (the Koa side never sees playerpass's CSRF cookie), and the code entry posts to /link.
 */
export const renderers = {
  renderError: async (ctx: KoaContextWithOIDC, out: ErrorOut) => {
    send(ctx, 'Sign-in request refused', oauthErrorPage(out.error, out.error_description));
  },
  logoutSource: async (ctx: KoaContextWithOIDC) => {
    const body = logoutConfirm({ action: ctx.oidc.urlFor('end_session_confirm'), xsrf: xsrfOf(ctx), clientName: ctx.oidc.client?.clientName });
    send(ctx, 'Sign out', body);
  },
  postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
    send(ctx, 'Signed out', loggedOut());
  },
  userCodeInputSource: async (ctx: KoaContextWithOIDC, _form: string, _out?: ErrorOut, err?: Error) => {
    const typed = (err as { userCode?: unknown } | undefined)?.userCode;
    const prefill = typeof ctx.query.prefill === 'string' ? ctx.query.prefill.slice(0, 20) : undefined;
    send(ctx, 'Link a device', linkInput({ xsrf: xsrfOf(ctx), code: typeof typed === 'string' ? typed : prefill, error: codeError(err) }));
  },
  userCodeConfirmSource: async (ctx: KoaContextWithOIDC, _form: string, client: Client, deviceInfo: Record<string, unknown>, userCode: string) => {
    const requestedFrom = typeof deviceInfo?.ipPrefix === 'string' ? deviceInfo.ipPrefix : undefined;
    send(ctx, 'Link a device', linkConfirm({ xsrf: xsrfOf(ctx), userCode, clientName: client.clientName ?? client.clientId, requestedFrom }));
  },
  successSource: async (ctx: KoaContextWithOIDC) => {
    send(ctx, 'Device linked', linkDone(ctx.oidc.client?.clientName));
  },
};

function send(ctx: KoaContextWithOIDC, title: string, body: SafeHtml): void {
  ctx.type = 'html';
  ctx.body = renderPage({ title, body });
}

function xsrfOf(ctx: KoaContextWithOIDC): string {
  const state = ctx.oidc.session?.state as { secret?: unknown } | undefined;
  return typeof state?.secret === 'string' ? state.secret : '';
}

function codeError(err: Error | undefined): string | undefined {
  if (!err) return undefined;
  switch (err.name) {
    case 'NoCodeError':
      return 'Enter the code shown on your screen.';
    case 'NotFoundError':
      return 'That code is not right. Check it and try again.';
    case 'ExpiredError':
      return 'That code has expired. Start again on your device to get a new one.';
    case 'AlreadyUsedError':
      return 'That code has already been used. Start again on your device to get a new one.';
    case 'AbortedError':
      return 'Cancelled: nothing was signed in. Start again on your device if you meant to.';
    default: {
      const code = (err as { error?: unknown }).error;
      if (code === 'access_denied') return 'Nothing was signed in: the request was declined.';
      if (code === 'temporarily_unavailable') return String((err as { error_description?: unknown }).error_description ?? 'Signing in is paused for maintenance. Try again later.');
      return 'This page expired or the request could not be completed. Start again on your device.';
    }
  }
}
