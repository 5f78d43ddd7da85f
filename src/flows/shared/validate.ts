import { validationFailed, type FieldErrors } from '../../domain/errors.ts';

/** Runs each field's check and throws one `validation_failed` naming every field at fault. */
export function requireValid(checks: Record<string, string | undefined>): void {
  const fields: FieldErrors = {};
  for (const [field, code] of Object.entries(checks)) if (code) fields[field] = code;
  if (Object.keys(fields).length > 0) throw validationFailed(fields);
}
