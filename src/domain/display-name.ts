/**
 * Display names: 3–24 characters (user-perceived, after NFC), no control or invisible formatting
 * characters, no leading or trailing spaces. Uniqueness is case-insensitive through `foldDisplayName`.
 */
export const DISPLAY_NAME_MIN = 3;
export const DISPLAY_NAME_MAX = 24;

// Cc: controls, Cf: format (zero-width, bidi overrides), Co/Cn: private use and unassigned,
// Zl/Zp: line and paragraph separators.
// Default-ignorable code points (such as the Hangul filler U+3164) render as nothing: a name made of
// them looks blank.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

export function cleanDisplayName(input: string): string {
  return input.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

export function foldDisplayName(name: string): string {
  return cleanDisplayName(name).toLowerCase().normalize('NFKC').toLowerCase();
}

// The zero-width joiner is a format character, but inside an emoji sequence (👩‍👩‍👧) it is part of one
// visible symbol, so it is allowed there and nowhere else.
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\p{M}*)\u200d(?=\p{Extended_Pictographic})/gu;

const EMOJI_VARIATION = /(?<=\p{Extended_Pictographic})[\ufe0e\ufe0f]/gu;

export function checkDisplayName(input: string): string | undefined {
  if (FORBIDDEN.test(input.replace(EMOJI_JOINER, '').replace(EMOJI_VARIATION, ''))) return 'forbidden_characters';
  const name = cleanDisplayName(input);
  if (name.length === 0) return 'required';
  const length = [...segmenter.segment(name)].length;
  if (length < DISPLAY_NAME_MIN) return 'too_short';
  if (length > DISPLAY_NAME_MAX) return 'too_long';
  return undefined;
}
