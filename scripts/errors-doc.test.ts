import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderErrorsDoc } from './errors-doc.ts';

test('docs/errors.md lists every error code as the catalogue has it (run npm run docs:errors)', () => {
  assert.equal(readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8'), renderErrorsDoc());
});
