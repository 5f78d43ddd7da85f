import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkBirthDate } from './birth-date.ts';
import { checkDisplayName, cleanDisplayName, foldDisplayName } from './display-name.ts';
import { checkEmail, cleanEmail, maskEmail, normaliseEmail } from './email.ts';
import { ipPrefix } from './ip-prefix.ts';
import { checkPassword } from './password-policy.ts';

describe('email', () => {
  test('acceptable addresses', () => {
    for (const email of [
      'jane@example.com',
      '  jane@example.com  ',
      'Jane.Doe+games@Example.COM',
      'j@e.io',
      "o'brien@example.ie",
      'zoë@exämple.de',
      `${'a'.repeat(64)}@example.com`,
      'jane@mail.example.co.uk',
    ]) {
      assert.equal(checkEmail(email), undefined, email);
    }
  });

  test('refused addresses name the reason', () => {
    const cases: Record<string, string | undefined> = {
      '': 'required',
      '   ': 'required',
      'jane': 'invalid_email',
      'jane@': 'invalid_email',
      '@example.com': 'invalid_email',
      'jane@example': 'invalid_email',
      'jane@example.c': 'invalid_email',
      'jane@@example.com': 'invalid_email',
      'ja ne@example.com': 'invalid_email',
      '.jane@example.com': 'invalid_email',
      'jane.@example.com': 'invalid_email',
      'jane..doe@example.com': 'invalid_email',
      'jane@-example.com': 'invalid_email',
      'jane@exa_mple.com': 'invalid_email',
      'jane@example.com.': 'invalid_email',
      '"jane"@example.com': 'invalid_email',
      'jane<x>@example.com': 'invalid_email',
      'jane@example.com\n': undefined, // trimmed away
      [`${'a'.repeat(65)}@example.com`]: 'invalid_email',
      [`jane@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`]: 'too_long',
    };
    for (const [email, code] of Object.entries(cases)) assert.equal(checkEmail(email), code, JSON.stringify(email));
  });

  test('normaliseEmail trims, NFC-normalises and lower-cases; cleanEmail keeps the case', () => {
    assert.equal(normaliseEmail('  Zoe.Quasar+Loop@Example.COM '), 'zoe.quasar+loop@example.com');
    assert.equal(normaliseEmail('Zoe\u0308@example.com'), normaliseEmail('ZO\u00cb@EXAMPLE.COM'));
    assert.equal(normaliseEmail('Zoe\u0308@example.com'), 'zo\u00eb@example.com');
    assert.equal(cleanEmail('  Zoe@Example.com '), 'Zoe@Example.com');
  });

  test('maskEmail keeps a first letter and the top-level domain', () => {
    assert.equal(maskEmail('jane@example.com'), 'j***@e***.com');
    assert.equal(maskEmail(' Kwame.Mensah@mail.example.org '), 'K***@m***.org');
    assert.equal(maskEmail('a@b.co.uk'), 'a***@b***.uk');
    assert.equal(maskEmail('jane@localhost'), 'j***@l***');
    assert.equal(maskEmail('jane@example.com').includes('jane'), false);
    assert.equal(maskEmail('jane@example.com').includes('example'), false);
  });
});

describe('display name', () => {
  test('emoji ZWJ sequences are one grapheme each and allowed', () => {
    assert.equal(checkDisplayName('👩‍👩‍👧‍👦ab'), undefined, 'a family emoji is one grapheme: 3 in all');
    assert.equal(checkDisplayName('👩‍👩‍👧‍👦a'), 'too_short');
    assert.equal(checkDisplayName('👩‍💻 Dev'), undefined);
    assert.equal(checkDisplayName('🏳️‍🌈 Pride'), undefined);
    assert.equal(checkDisplayName('👩'.repeat(24)), undefined);
    assert.equal(checkDisplayName('👩‍👩‍👧‍👦'.repeat(25)), 'too_long');
    assert.equal(checkDisplayName('Zo\u200de'), 'forbidden_characters', 'a zero-width joiner between letters is still hidden text');
    assert.equal(checkDisplayName('\u200d👩ab'), 'forbidden_characters');
    assert.equal(checkDisplayName('\u3164\u3164\u3164'), 'forbidden_characters', 'Hangul fillers render as a blank name');
    assert.equal(checkDisplayName('Love ❤️ 42'), undefined, 'an emoji with its variation selector is fine');
  });

  test('counts graphemes, not code units', () => {
    assert.equal(checkDisplayName('Zoe\u0308'), undefined);
    assert.equal(checkDisplayName('🇫🇷'.repeat(24)), undefined, '24 flags are 24 graphemes');
    assert.equal(checkDisplayName('🇫🇷'.repeat(25)), 'too_long');
    assert.equal(checkDisplayName('e\u0301'.repeat(24)), undefined);
  });

  test('length limits: 3 to 24 after trimming', () => {
    assert.equal(checkDisplayName('abc'), undefined);
    assert.equal(checkDisplayName('ab'), 'too_short');
    assert.equal(checkDisplayName('  ab  '), 'too_short');
    assert.equal(checkDisplayName('x'.repeat(24)), undefined);
    assert.equal(checkDisplayName('x'.repeat(25)), 'too_long');
    assert.equal(checkDisplayName('x'.repeat(200)), 'too_long');
    assert.equal(checkDisplayName(''), 'required');
    assert.equal(checkDisplayName('     '), 'required');
  });

  test('control, format, private-use and separator characters are forbidden', () => {
    for (const bad of ['Zo\u0000e', 'Zo\u0007e', 'Zo\u202ee', 'Zo\u200be', 'Zo\u200de', 'Zo\ufeffe', 'Zo\ue000e', 'Zo\u2028e', 'Zo\u2029e', 'Zoe\n', 'Zo\te', 'Zo\u007fe', 'Zo\u0085e']) {
      assert.equal(checkDisplayName(bad), 'forbidden_characters', JSON.stringify(bad));
    }
    assert.equal(checkDisplayName('Zoë Quasar'), undefined);
    assert.equal(checkDisplayName('Zoë  Quasar'), undefined, 'inner spaces collapse');
  });

  test('cleanDisplayName: NFC, trimmed, single spaces', () => {
    assert.equal(cleanDisplayName('  Zoe\u0308   Quasar '), 'Zo\u00eb Quasar');
  });

  test('foldDisplayName: one form for case, composition, width and spacing', () => {
    assert.equal(foldDisplayName('ZOË'), foldDisplayName('zoë'));
    assert.equal(foldDisplayName('Zoe\u0308'), foldDisplayName('ZO\u00cb'));
    assert.equal(foldDisplayName('ＺＯＥ'), foldDisplayName('zoe'));
    assert.equal(foldDisplayName('  Zoë   Quasar '), foldDisplayName('zoë quasar'));
    assert.equal(foldDisplayName('Zoë Quasar'), 'zo\u00eb quasar');
    assert.notEqual(foldDisplayName('Zoe'), foldDisplayName('Zoë'));
  });
});

describe('birth date', () => {
  const today = new Date(Date.UTC(2024, 5, 15, 12, 0, 0)); // 2024-06-15
  const cases: Record<string, string | undefined> = {
    '2000-02-29': undefined,
    '1996-02-29': undefined,
    '1900-01-01': undefined,
    '2024-06-15': undefined,
    '2024-06-16': undefined, // tomorrow: already today across the date line
    '2024-06-17': 'in_future',
    '2999-01-01': 'in_future',
    '1900-02-29': 'invalid_date',
    '2023-02-29': 'invalid_date',
    '2023-02-30': 'invalid_date',
    '2023-04-31': 'invalid_date',
    '2023-13-01': 'invalid_date',
    '2023-00-10': 'invalid_date',
    '2023-01-00': 'invalid_date',
    '1899-12-31': 'before_1900',
    '1000-06-15': 'before_1900',
    '23-01-2000': 'invalid_date',
    '2000-1-5': 'invalid_date',
    '2000/01/05': 'invalid_date',
    '20000-01-05': 'invalid_date',
    ' 2000-01-05': 'invalid_date',
    '2000-01-05T00:00:00Z': 'invalid_date',
    '': 'invalid_date',
    '２０００-０１-０５': 'invalid_date',
  };
  for (const [input, code] of Object.entries(cases)) {
    test(`${JSON.stringify(input)} → ${code ?? 'ok'}`, () => {
      assert.equal(checkBirthDate(input, today), code);
    });
  }

  // Date.UTC would map the years 0–99 to 1900–1999.
  test('real dates in the years 0001–0099 are before_1900, not invalid_date', () => {
    assert.equal(checkBirthDate('0001-01-01', today), 'before_1900');
    assert.equal(checkBirthDate('0099-12-31', today), 'before_1900');
  });

  test('today is fine at any hour, the day after tomorrow never', () => {
    for (const hour of [0, 23]) {
      const now = new Date(Date.UTC(2024, 11, 31, hour, 59));
      assert.equal(checkBirthDate('2024-12-31', now), undefined);
      assert.equal(checkBirthDate('2025-01-01', now), undefined);
      assert.equal(checkBirthDate('2025-01-02', now), 'in_future');
    }
  });
});

describe('password policy', () => {
  test('length limits in characters (code points after NFC), not bytes or code units', () => {
    assert.equal(checkPassword(''), 'required');
    assert.equal(checkPassword('a'.repeat(7)), 'too_short');
    assert.equal(checkPassword('a'.repeat(8)), undefined);
    assert.equal(checkPassword('a'.repeat(256)), undefined);
    assert.equal(checkPassword('a'.repeat(257)), 'too_long');
    assert.equal(checkPassword('😀'.repeat(8)), undefined, '8 emoji are 8 characters');
    assert.equal(checkPassword('😀'.repeat(7)), 'too_short', '7 emoji are 7 characters, though 14 code units');
    assert.equal(checkPassword('😀'.repeat(256)), undefined);
    assert.equal(checkPassword('😀'.repeat(257)), 'too_long');
    assert.equal(checkPassword('e\u0301'.repeat(4)), 'too_short', 'four é typed decomposed are four characters');
    assert.equal(checkPassword('        '), undefined, 'any characters, even spaces');
  });

  test('no composition rules', () => {
    for (const password of ['aaaaaaaa', '12345678x', 'correct horse battery staple', 'пароль-надёжный']) {
      assert.equal(checkPassword(password), undefined, password);
    }
  });

  test('refuses a password that is little more than the display name, the email or the product', () => {
    const context = { displayName: 'Quasar Nova', email: 'jane.doe@example.com' };
    assert.equal(checkPassword('Quasar Nova', context), 'contains_personal_info');
    assert.equal(checkPassword('quasarnova', context), 'contains_personal_info');
    assert.equal(checkPassword('QUASAR-NOVA-123', context), 'contains_personal_info');
    assert.equal(checkPassword('jane.doe@example.com', context), 'contains_personal_info');
    assert.equal(checkPassword('janedoe!!1', context), 'contains_personal_info');
    assert.equal(checkPassword('playerpass', context), 'contains_personal_info');
    assert.equal(checkPassword('Playerpass!1', {}), 'contains_personal_info');
    assert.equal(checkPassword('quasar nova rides the solar wind', context), undefined, 'a long passphrase containing the name is fine');
    assert.equal(checkPassword('correct horse battery staple', context), undefined);
  });
});

describe('ipPrefix', () => {
  test('IPv4 → /24', () => {
    assert.equal(ipPrefix('203.0.113.77'), '203.0.113.0/24');
    assert.equal(ipPrefix('127.0.0.1'), '127.0.0.0/24');
  });

  test('IPv4-mapped IPv6 → the IPv4 /24', () => {
    assert.equal(ipPrefix('::ffff:203.0.113.77'), '203.0.113.0/24');
  });

  test('IPv6 → /48', () => {
    assert.equal(ipPrefix('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(ipPrefix('2001:0db8:85a3:0000:0000:8a2e:0370:7334'), '2001:0db8:85a3::/48');
    assert.equal(ipPrefix('2001:db8::1'), '2001:db8:0::/48');
    assert.equal(ipPrefix('::1'), '0:0:0::/48');
  });

  test('anything else is unknown', () => {
    assert.equal(ipPrefix(''), 'unknown');
    assert.equal(ipPrefix('not an ip'), 'unknown');
    assert.equal(ipPrefix('999.1.1.1'), 'unknown');
  });
});
