import { errorCatalogue } from '../src/domain/errors.ts';

/** Renders docs/errors.md from the error catalogue: `node scripts/errors-doc.ts > docs/errors.md`. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(errorCatalogue).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message} | ${e.fix} |`);
  return [
    '# playerpass error codes',
    '',
    'Generated from `src/domain/errors.ts` by `npm run docs:errors`; do not edit by hand.',
    '',
    'Every error a client can see is `{ "error": { "code", "message", "fields"? } }`. The `code` is stable; the `message` is',
    'safe to show a member and may change wording.',
    '',
    '| code | status | message | what to do |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderErrorsDoc());
