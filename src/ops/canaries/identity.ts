import { randomInt } from 'node:crypto';

// Ordinary first and last names from many countries, combined at random: a canary must look like
// one member among thousands, not like a test account.
const FIRST = [
  'Anna', 'Lukas', 'Sofia', 'Mateo', 'Emma', 'Noah', 'Chloe', 'Liam', 'Mia', 'Elias', 'Lea', 'Jonas', 'Aiko', 'Kenji', 'Priya', 'Arjun',
  'Camille', 'Hugo', 'Giulia', 'Marco', 'Olivia', 'Ethan', 'Zoe', 'Daniel', 'Sara', 'Tomasz', 'Agnieszka', 'Mehmet', 'Elif', 'Lars',
  'Ingrid', 'Diego', 'Lucia', 'Sam', 'Nina', 'Oscar', 'Maya', 'Felix', 'Hannah', 'Ravi',
];
const LAST = [
  'Müller', 'Garcia', 'Rossi', 'Dubois', 'Smith', 'Kowalski', 'Yilmaz', 'Andersen', 'Tanaka', 'Sato', 'Patel', 'Sharma', 'Silva',
  'Santos', 'Novak', 'Horvat', 'Jensen', 'Berg', 'Moreau', 'Fischer', 'Weber', 'Brown', 'Wilson', 'Romero', 'Costa', 'Nielsen',
  'Kim', 'Park', 'Nguyen', 'Lopez',
];
const HANDLE_WORDS = ['wolf', 'pixel', 'nova', 'rider', 'storm', 'fox', 'ace', 'blade', 'echo', 'raven', 'comet', 'frost', 'viper', 'ghost', 'lynx'];

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)]!;

/** ASCII local part: `Müller` → `muller`, as people write their addresses. */
const ascii = (text: string) => text.normalize('NFD').replace(/[^\p{L}\p{N}]/gu, '').replace(/[^a-z0-9]/gi, '').toLowerCase();

export interface CanaryIdentity {
  displayName: string;
  email: string;
  birthDate: string;
}

/** A plausible, random identity: a gamer handle or a name, a matching address, an adult's birth date. */
export function randomIdentity(domain: string, today: Date): CanaryIdentity {
  const first = pick(FIRST);
  const last = pick(LAST);
  const year = today.getUTCFullYear() - 18 - randomInt(30);
  const birthDate = `${year}-${String(1 + randomInt(12)).padStart(2, '0')}-${String(1 + randomInt(28)).padStart(2, '0')}`;
  const twoDigits = String(year % 100).padStart(2, '0');
  const word = pick(HANDLE_WORDS);
  const displayName = pick([
    () => `${first}${word[0]!.toUpperCase()}${word.slice(1)}${randomInt(10, 1000)}`,
    () => `${first} ${last}`,
    () => `${word}_${ascii(first)}${twoDigits}`,
  ])().slice(0, 24);
  const local = pick([
    () => `${ascii(first)}.${ascii(last)}`,
    () => `${ascii(first)}${ascii(last)}${twoDigits}`,
    () => `${ascii(first)[0]}${ascii(last)}${randomInt(1, 100)}`,
  ])();
  return { displayName, email: `${local}@${domain}`, birthDate };
}
