import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkPassword,
  checkPasswordShape,
  DEFAULT_PASSWORD_RULES,
  PASSWORD_MAX,
  PASSWORD_MIN_DEFAULT,
  passwordLength,
  RECOMMENDED_LENGTH_WITHOUT_MFA,
} from './password-policy.ts';

const rules = { minLength: 8, maxLength: 256 };
const shape = (password: string, context = {}) => checkPasswordShape(password, context, rules);

describe('password shape: length', () => {
  test('constants', () => {
    assert.equal(PASSWORD_MIN_DEFAULT, 8);
    assert.equal(PASSWORD_MAX, 256);
    assert.equal(RECOMMENDED_LENGTH_WITHOUT_MFA, 15);
    assert.deepEqual({ ...DEFAULT_PASSWORD_RULES }, rules);
  });

  test('empty is required', () => {
    assert.equal(shape(''), 'required');
  });

  test('7 characters are too short, 8 are enough', () => {
    assert.equal(shape('x'.repeat(7)), 'too_short');
    assert.equal(shape('x'.repeat(8)), undefined);
  });

  test('exactly 256 code points pass, 257 are too long', () => {
    assert.equal(shape('x'.repeat(256)), undefined);
    assert.equal(shape('x'.repeat(257)), 'too_long');
    assert.equal(shape('😀'.repeat(256)), undefined, '256 emoji are 512 code units but 256 characters');
    assert.equal(shape('😀'.repeat(257)), 'too_long');
  });

  test('an astral emoji counts as one character', () => {
    assert.equal(passwordLength('😀'), 1);
    assert.equal(shape('😀'.repeat(7)), 'too_short', '7 emoji are 14 code units but 7 characters');
    assert.equal(shape('😀'.repeat(8)), undefined);
  });

  test('NFC and NFD spellings have the same length', () => {
    const nfc = 'é'.repeat(8);
    const nfd = 'e\u0301'.repeat(8);
    assert.notEqual(nfc, nfd);
    assert.equal(passwordLength(nfc), 8);
    assert.equal(passwordLength(nfd), 8);
    assert.equal(shape(nfc), undefined);
    assert.equal(shape(nfd), undefined);
    assert.equal(shape('e\u0301'.repeat(7)), 'too_short');
  });

  test('the configured minimum is honoured', () => {
    const strict = { minLength: 15, maxLength: 256 };
    assert.equal(checkPasswordShape('x'.repeat(14), {}, strict), 'too_short');
    assert.equal(checkPasswordShape('x'.repeat(15), {}, strict), undefined);
  });

  test('no truncation: the shape is judged on every character, and the password is not altered', () => {
    const a = `${'x'.repeat(255)}a`;
    const b = `${'x'.repeat(255)}b`;
    assert.equal(shape(a), undefined);
    assert.equal(shape(b), undefined);
    assert.notEqual(a, b, 'two 256-character passwords differing only in the last character stay different');
    // A password one character over the limit is refused, never cut down to the limit.
    assert.equal(shape(`${a}c`), 'too_long');
  });

  test('no composition rules: any characters', () => {
    for (const password of ['aaaaaaaa', '12345678x', '        ', 'пароль-надёжный', '密码密码密码密码', 'correct horse battery staple']) {
      assert.equal(shape(password), undefined, password);
    }
  });
});

describe('password shape: personal information', () => {
  const context = { displayName: 'Quasar Nova', email: 'jane.doe@example.com' };
  const refused = (password: string, ctx: object = context) =>
    assert.equal(checkPasswordShape(password, ctx, rules), 'contains_personal_info', password);
  const accepted = (password: string, ctx: object = context) =>
    assert.equal(checkPasswordShape(password, ctx, rules), undefined, password);

  test('the display name, case- and punctuation-insensitive', () => {
    refused('Quasar Nova');
    refused('quasarnova');
    refused('QUASAR-NOVA-123');
    refused('Quasar.Nova!!');
  });

  test('the display name reversed, or its parts rearranged', () => {
    refused('avonrasauq');
    refused('Nova Quasar');
    refused('novaquasar2024');
  });

  test('the email or its local part', () => {
    refused('jane.doe@example.com');
    refused('janedoe!!1');
    refused('JaneDoe2024');
    refused('eodenaj12');
  });

  test('the service name, with a year, symbols or leet-speak', () => {
    refused('playerpass', {});
    refused('Playerpass!1', {});
    refused('playerpass2024!', {});
    refused('PLAYERPASS-01012000', {});
    refused('p1ayerpa55', {});
    refused('pl@y3rp@ss!', {});
    refused('playerpasszzzzzz', {});
    refused('ssapreyalp', {});
  });

  test('a passphrase that merely contains a name is fine', () => {
    accepted('quasar nova rides the solar wind');
    accepted('playerpass is where my dragon sleeps', {});
    accepted('correct horse battery staple');
    accepted('Quasar Nova Tuesday');
  });

  test('no context: ordinary passwords are left to the blocklist', () => {
    accepted('sunflower-meadow', {});
    accepted('janedoe2024', {});
  });

  test('short names are not used to refuse', () => {
    accepted('kimbo-the-brave', { displayName: 'Ki' });
  });

  test('checks in order: required, length, then personal information', () => {
    assert.equal(checkPasswordShape('', context, rules), 'required');
    assert.equal(checkPasswordShape('nova', context, rules), 'too_short');
    assert.equal(checkPasswordShape(`quasarnova${'1'.repeat(300)}`, context, rules), 'too_long');
  });
});

describe('checkPassword (the old entry point)', () => {
  test('is the shape check with the default rules', () => {
    assert.equal(checkPassword(''), 'required');
    assert.equal(checkPassword('x'.repeat(7)), 'too_short');
    assert.equal(checkPassword('x'.repeat(8)), undefined);
    assert.equal(checkPassword('x'.repeat(257)), 'too_long');
    assert.equal(checkPassword('quasarnova', { displayName: 'Quasar Nova' }), 'contains_personal_info');
  });
});
