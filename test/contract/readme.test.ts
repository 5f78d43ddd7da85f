import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { settings } from '../../src/config/schema.ts';

test('the README configuration table names every setting', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const setting of Object.values(settings)) assert.ok(readme.includes(`| \`${setting.env}\` |`), `${setting.env} missing from README`);
});
