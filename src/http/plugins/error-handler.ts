import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PassError, type FieldErrors } from '../../domain/errors.ts';
import { html } from '../layout/html.ts';
import { renderPage } from '../layout/page.ts';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

const keywordCodes: Record<string, string> = {
  required: 'required',
  type: 'invalid_type',
  maxLength: 'too_long',
  minLength: 'too_short',
  format: 'invalid_format',
  pattern: 'invalid_format',
  additionalProperties: 'unknown_field',
};

/** Maps a schema failure to `{ field: code }`, naming the field at fault rather than a JSON pointer. */
export function fieldsFromValidation(errors: AjvError[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (error.keyword === 'required') field = [field, String(error.params.missingProperty)].filter(Boolean).join('.');
    if (error.keyword === 'additionalProperties') field = [field, String(error.params.additionalProperty)].filter(Boolean).join('.');
    fields[field || 'body'] ??= keywordCodes[error.keyword] ?? 'invalid';
  }
  return fields;
}

/** Turns anything thrown into a PassError a client may see; anything unexpected becomes internal_error. */
export function toPassError(error: unknown): PassError {
  if (error instanceof PassError) return error;
  const e = error as FastifyError & { validation?: AjvError[] };
  if (e?.validation) return new PassError('validation_failed', { fields: fieldsFromValidation(e.validation) });
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PassError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PassError('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new PassError('malformed_body');
  }
  if (e instanceof SyntaxError) return new PassError('malformed_body');
  if (typeof e?.statusCode === 'number' && e.statusCode === 413) return new PassError('payload_too_large');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new PassError('bad_request');
  return new PassError('internal_error');
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url.startsWith('/healthz') || request.url.startsWith('/readyz');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, failure: PassError): FastifyReply {
  if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
  reply.code(failure.status);
  if (isApiRequest(request)) {
    return reply.send({ error: { code: failure.code, message: failure.message, ...(failure.fields ? { fields: failure.fields } : {}) } });
  }
  const body = html`<p>${failure.message}</p><p class="muted">Error code: <code>${failure.code}</code></p><p><a href="/">Back to the start</a></p>`;
  return reply.type('text/html; charset=utf-8').send(renderPage({ title: titleFor(failure), body }));
}

function titleFor(failure: PassError): string {
  if (failure.status === 404) return 'Page not found';
  if (failure.code === 'csrf_invalid') return 'Form expired';
  if (failure.status >= 500) return 'Something went wrong';
  return 'That did not work';
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = toPassError(error);
    if (failure.code === 'internal_error') request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, failure);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new PassError('not_found')));
}
