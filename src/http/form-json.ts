import type { FastifyRequest } from 'fastify';

/**
 * A JSON document posted in one form field (a WebAuthn response the passkeys script put there):
 * parsed into an object, or `{}` when it is missing, too long or not JSON, for the flow to refuse.
 * `formFields` cuts values at 2 KiB; a registration response is longer, so it is read here.
 */
export function formJson(request: FastifyRequest, name: string, maxLength = 12 * 1024): Record<string, unknown> {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  const value = Array.isArray(body[name]) ? (body[name] as unknown[])[0] : body[name];
  if (typeof value !== 'string' || value.length > maxLength) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
