import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticated } from '../flows/sessions/authenticate.ts';
import type { HttpDeps } from './context.ts';
import { fieldErrorText } from './layout/form.ts';
import type { SafeHtml } from './layout/html.ts';
import { renderPage } from './layout/page.ts';
import { csrfToken, verifyCsrf } from './plugins/csrf.ts';
import { pageSession } from './plugins/session.ts';
import { toPassError } from './plugins/error-handler.ts';

export interface PageNotice {
  kind: 'info' | 'success' | 'error';
  text: string;
}

/** Sends a full page: the nav knows who is signed in, and forms get their CSRF token. */
export function sendPage(
  reply: FastifyReply,
  options: { title: string; body: SafeHtml; auth?: Authenticated | undefined; notice?: PageNotice | undefined; csrf: string; status?: number; scripts?: readonly string[] },
): FastifyReply {
  const page = renderPage({
    title: options.title,
    body: options.body,
    member: options.auth ? { displayName: options.auth.member.displayName } : undefined,
    notice: options.notice,
    csrfToken: options.csrf,
    scripts: options.scripts,
  });
  return reply.code(options.status ?? 200).type('text/html; charset=utf-8').send(page);
}

export function pageCsrf(request: FastifyRequest, reply: FastifyReply, deps: HttpDeps): string {
  return csrfToken(request, reply, deps.cookies);
}

/** The string fields of a submitted form (a repeated field keeps its first value; others are ignored). */
export function formFields(request: FastifyRequest, names: readonly string[]): Record<string, string> {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const name of names) {
    const value = Array.isArray(body[name]) ? (body[name] as unknown[])[0] : body[name];
    fields[name] = typeof value === 'string' ? value.slice(0, 2048) : '';
  }
  return fields;
}

/** Every form post checks its CSRF token before anything else happens. */
export function checkFormCsrf(request: FastifyRequest, deps: HttpDeps): void {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  verifyCsrf(request, deps.cookies, body._csrf);
}

/** What a form shows after a failed submit: a message for the form and one per field. */
export interface FormProblem {
  message: string | undefined;
  fields: Record<string, string>;
  status: number;
}

export function formProblem(error: unknown): FormProblem {
  const failure = toPassError(error);
  if (failure.code === 'internal_error' || failure.code === 'csrf_invalid') throw error;
  const fields: Record<string, string> = {};
  for (const [name, code] of Object.entries(failure.fields ?? {})) fields[name] = fieldErrorText(name, code);
  const message = failure.code === 'validation_failed' ? 'Please fix the fields marked below.' : failure.message;
  return { message, fields, status: failure.status };
}

export async function requirePageSession(request: FastifyRequest, reply: FastifyReply, deps: HttpDeps): Promise<Authenticated | undefined> {
  const auth = await pageSession(request, deps);
  if (!auth) {
    await reply.redirect('/sign-in', 303);
    return undefined;
  }
  return auth;
}

export function queryToken(request: FastifyRequest): string {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' && token.length <= 200 ? token : '';
}

