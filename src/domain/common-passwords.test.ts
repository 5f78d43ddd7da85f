import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createCommonPasswordList } from './common-passwords.ts';

describe('common password list (the zxcvbn-ts list shipped with the package)', () => {
  const words = dictionary['passwords-common'];
  const list = createCommonPasswordList(words);

  test('loads at least the 10,000 most common passwords', () => {
    assert.ok(words.length >= 10_000, `${words.length} words`);
    assert.ok(list.size >= 10_000, `${list.size} distinct words`);
  });

  test('refuses listed passwords and their trivial variants', () => {
    for (const password of [
      'password', 'PASSWORD', 'Password123!', 'password2024', '  password  ', 'pass-word',
      'p@ssw0rd', 'P@$$w0rd!', 'passw0rd1',
      'qwerty', 'Qwerty123', 'iloveyou', 'ILoveYou!!', '1l0v3y0u',
      '12345678', '12345678!', 'letmein1', 'trustno1', 'dragon2020', 'monkey!',
    ]) {
      assert.equal(list.has(password), true, password);
    }
  });

  test('accepts passphrases and random passwords', () => {
    for (const password of [
      'correct horse battery stapler of doom',
      'velvet tundra orbits quietly',
      'my cat reads tax law on sundays',
      'Kq7#vB2m!xR9',
    ]) {
      assert.equal(list.has(password), false, password);
    }
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < 50; i++) {
      const phrase = Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => alphabet[randomInt(26)]).join('')).join(' ');
      assert.equal(list.has(phrase), false, phrase);
    }
  });

  test('an empty or blank password is not a listed one (length checks deal with it)', () => {
    assert.equal(list.has(''), false);
    assert.equal(list.has('   '), false);
  });
});

describe('common password matching rules', () => {
  const list = createCommonPasswordList(['dragon', 'abc123', '123456', 'Sunshine']);

  test('case-insensitive, whitespace around ignored', () => {
    assert.equal(list.has('DRAGON'), true);
    assert.equal(list.has(' sunshine\t'), true);
  });

  test('digits and symbols appended to a core of at least 4 characters', () => {
    assert.equal(list.has('dragon99!'), true);
    assert.equal(list.has('dr@g0n'), true);
    assert.equal(list.has('5un5h1ne'), true);
  });

  test('a short core does not swallow longer passwords', () => {
    assert.equal(list.has('abc123'), true);
    assert.equal(list.has('abc123!'), true, 'symbols appended');
    assert.equal(list.has('abc987'), false, 'abc is below the 4-character core');
    assert.equal(list.has('1234567'), false, 'another number is another password');
  });

  test('a listed word inside a longer password is not a match', () => {
    assert.equal(list.has('dragonfly meadow'), false);
    assert.equal(list.has('the dragon sleeps'), false);
    assert.equal(list.has('mydragon'), false);
  });
});
