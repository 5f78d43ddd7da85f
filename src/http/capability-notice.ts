import type { FastifyReply } from 'fastify';
import { PassError } from '../domain/errors.ts';
import type { Authenticated } from '../flows/sessions/authenticate.ts';
import type { CapabilityMode, CapabilityName } from '../ops/maintenance/capabilities.ts';
import type { HttpDeps } from './context.ts';
import { html, type SafeHtml } from './layout/html.ts';
import { sendPage } from './pages.ts';

/**
 * The refusal a page would get from the flow if the capability does not allow `mode` now, or
 * undefined. Pages ask first so they can show the operator's message instead of a form; the flow
 * services still refuse on their own, so the API and a form posted anyway obey the same switch.
 */
export function capabilityRefusal(deps: HttpDeps, name: CapabilityName, mode: CapabilityMode = 'write'): PassError | undefined {
  try {
    deps.flows.capabilities.require(name, mode);
    return undefined;
  } catch (error) {
    if (error instanceof PassError) return error;
    throw error;
  }
}

/** The operator's message where a form would be. */
export function capabilityNotice(refusal: PassError): SafeHtml {
  return html`<div class="notice notice-info" role="status"><p>${refusal.message}</p><p><a href="/status">Service status</a></p></div>`;
}

/** A page that shows only the operator's message: 503 with Retry-After, like the API. */
export function sendCapabilityNotice(
  reply: FastifyReply,
  options: { title: string; refusal: PassError; csrf: string; auth?: Authenticated | undefined; more?: SafeHtml },
): FastifyReply {
  if (options.refusal.retryAfterSeconds !== undefined) reply.header('retry-after', String(options.refusal.retryAfterSeconds));
  return sendPage(reply, { title: options.title, body: html`${capabilityNotice(options.refusal)}${options.more}`, auth: options.auth, csrf: options.csrf, status: options.refusal.status });
}
