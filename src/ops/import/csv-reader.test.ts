import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createCsvParser, CsvError, readCsvFile, type CsvRecord } from './csv-reader.ts';

const parseAll = (chunks: string[]): CsvRecord[] => {
  const parser = createCsvParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
};

const messy =
  '\ufeffid,name,note\r\n' +
  '1,"Smith, Jr.","say ""hi"""\r\n' +
  '2,"two\r\nlines",x\r\n' +
  '\r\n' +
  '3,short\r\n' +
  '4,"a""b",tail"quote\r\n' +
  '5,"closed"junk,z';

const expected: CsvRecord[] = [
  { line: 1, fields: ['id', 'name', 'note'] },
  { line: 2, fields: ['1', 'Smith, Jr.', 'say "hi"'] },
  { line: 3, fields: ['2', 'two\r\nlines', 'x'] },
  { line: 6, fields: ['3', 'short'] },
  { line: 7, fields: ['4', 'a"b', 'tail"quote'] },
  { line: 8, fields: ['5', 'closedjunk', 'z'] },
];

describe('csv reader', () => {
  test('BOM, CRLF, quoted commas and quotes, an embedded line break, a blank line, a short row: physical line numbers', () => {
    assert.deepEqual(parseAll([messy]), expected);
  });

  test('the same records whatever the chunk boundaries', () => {
    for (let cut = 0; cut <= messy.length; cut++) {
      assert.deepEqual(parseAll([messy.slice(0, cut), messy.slice(cut)]), expected, `cut at ${cut}`);
    }
    assert.deepEqual(parseAll([...messy]), expected, 'one character at a time');
  });

  test('LF line ends, a trailing newline, empty fields and a trailing comma', () => {
    assert.deepEqual(parseAll(['a,,c\n,\n"",x,\n']), [
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['', ''] },
      { line: 3, fields: ['', 'x', ''] },
    ]);
  });

  test('a quote left open at the end of the file is reported on its record', () => {
    assert.deepEqual(parseAll(['1,ok\n2,"never closed\nmore']), [
      { line: 1, fields: ['1', 'ok'] },
      { line: 2, fields: ['2', 'never closed\nmore'], error: 'unterminated_quote' },
    ]);
  });

  test('a record past the size limit stops the read with its line', () => {
    const parser = createCsvParser({ maxRecordChars: 100 });
    parser.push('1,ok\n2,"runaway');
    assert.throws(() => parser.push('x'.repeat(200)), (error: unknown) => error instanceof CsvError && /line 2/.test(error.message));
  });

  test('reads a file in small chunks, multi-byte characters split across them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'playerpass-csv-'));
    try {
      const path = join(dir, 'in.csv');
      writeFileSync(path, messy.replace('Smith', '李 Müller 👩‍👩‍👧'));
      const records: CsvRecord[] = [];
      let bytes = 0;
      for await (const batch of readCsvFile(path, { highWaterMark: 7, onBytes: (n) => (bytes = n) })) records.push(...batch);
      assert.equal(records[1]!.fields[1], '李 Müller 👩‍👩‍👧, Jr.');
      assert.deepEqual(records.map((r) => r.line), [1, 2, 3, 6, 7, 8]);
      assert.equal(bytes, Buffer.byteLength(messy.replace('Smith', '李 Müller 👩‍👩‍👧')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
