import { createReadStream } from 'node:fs';

/**
 * A streaming RFC 4180 reader: quoted fields with commas, doubled quotes and line breaks; LF or CRLF
 * line ends; a leading byte-order mark. Each record carries the physical line it starts on (the
 * header is line 1), so a reject report can point at the file as an editor shows it.
 *
 * Lenient where the RFC is silent and exports are messy: a quote inside an unquoted field is kept as
 * text, text after a closing quote is appended, blank lines are skipped. Memory stays flat: only the
 * record being read is kept, and a record longer than `maxRecordChars` (a stray quote swallowing the
 * rest of the file) stops the read with a `CsvError` naming its line.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the file ended inside a quoted field. */
  error?: 'unterminated_quote';
}

export class CsvError extends Error {
  override name = 'CsvError';
}

export interface CsvParser {
  /** Feeds text; returns the records it completed. */
  push(text: string): CsvRecord[];
  /** The end of input: returns the last record, if any. */
  end(): CsvRecord[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function createCsvParser(options: { maxRecordChars?: number } = {}): CsvParser {
  const maxRecordChars = options.maxRecordChars ?? 1 << 20;
  let buffer = '';
  let line = 1;
  let started = false;

  const countLines = (text: string, from: number, to: number) => {
    let count = 0;
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
    return count;
  };

  /** Parses the complete records in `buffer`; keeps an incomplete last one for the next chunk unless `final`. */
  const parse = (final: boolean): CsvRecord[] => {
    const records: CsvRecord[] = [];
    const text = buffer;
    const length = text.length;
    let pos = 0;
    let keepFrom = -1;
    record: while (pos < length) {
      const recordStart = pos;
      const first = text.charCodeAt(pos);
      if (first === LF || (first === CR && text.charCodeAt(pos + 1) === LF)) {
        pos += first === CR ? 2 : 1;
        line++;
        continue;
      }
      if (first === CR && pos + 1 >= length && !final) {
        keepFrom = pos;
        break;
      }
      const fields: string[] = [];
      let newlines = 0;
      let lineEnd = text.indexOf('\n', pos);
      for (;;) {
        let value = '';
        if (text.charCodeAt(pos) === QUOTE) {
          let from = pos + 1;
          for (;;) {
            const quote = text.indexOf('"', from);
            if (quote === -1 || (quote + 1 >= length && !final)) {
              if (!final) {
                keepFrom = recordStart;
                break record;
              }
              fields.push(value + text.slice(from));
              records.push({ line, fields, error: 'unterminated_quote' });
              pos = length;
              break record;
            }
            value += text.slice(from, quote);
            newlines += countLines(text, from, quote);
            if (text.charCodeAt(quote + 1) === QUOTE) {
              value += '"';
              from = quote + 2;
              continue;
            }
            pos = quote + 1;
            break;
          }
          lineEnd = text.indexOf('\n', pos);
        }
        // An unquoted field, or what follows a closing quote (kept as text): up to the delimiter.
        const comma = text.indexOf(',', pos);
        const byComma = comma !== -1 && (lineEnd === -1 || comma < lineEnd);
        const stop = byComma ? comma : lineEnd;
        if (stop === -1 && !final) {
          keepFrom = recordStart;
          break record;
        }
        const end = stop === -1 ? length : stop;
        value += text.slice(pos, !byComma && end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end);
        fields.push(value);
        pos = end;
        if (byComma) {
          pos++;
          if (pos < length) continue;
          if (!final) {
            keepFrom = recordStart;
            break record;
          }
          fields.push('');
        } else if (pos < length) {
          pos++;
        }
        records.push({ line, fields });
        line += newlines + 1;
        continue record;
      }
    }
    buffer = keepFrom === -1 ? '' : text.slice(keepFrom);
    if (buffer.length > maxRecordChars) throw new CsvError(`line ${line}: a record longer than ${maxRecordChars} characters (an unclosed quote?)`);
    return records;
  };

  return {
    push(text) {
      if (!started && text.length > 0) {
        started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      buffer += text;
      return parse(false);
    },
    end() {
      return parse(true);
    },
  };
}

/**
 * Reads a file as UTF-8, giving records chunk by chunk; `onBytes` reports how many bytes were read so
 * far (for a progress bar's ETA). The caller awaits each chunk's work, so a slow database slows the
 * reading instead of filling memory.
 */
export async function* readCsvFile(path: string, options: { onBytes?: (bytes: number) => void; highWaterMark?: number } = {}): AsyncGenerator<CsvRecord[]> {
  const parser = createCsvParser();
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: options.highWaterMark ?? 256 * 1024 })) {
    bytes += (chunk as Buffer).length;
    const records = parser.push(decoder.decode(chunk as Buffer, { stream: true }));
    options.onBytes?.(bytes);
    if (records.length > 0) yield records;
  }
  const last = [...parser.push(decoder.decode()), ...parser.end()];
  if (last.length > 0) yield last;
}
