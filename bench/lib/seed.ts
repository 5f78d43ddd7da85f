import { hashToken, randomId, randomToken } from '../../src/crypto/random.ts';
import type { Member } from '../../src/domain/member.ts';
import type { Services } from '../../src/services.ts';

/**
 * Fills the store with `count` members the way a join would store them (every field encrypted and
 * blind-indexed), but with one shared password hash: argon2 is measured elsewhere, and hashing
 * 1.3 M passwords would take hours on two cores.
 */
export async function seedMembers(services: Services, count: number, password: string, onProgress?: (done: number) => void): Promise<void> {
  const stored = await services.flows.hasher.hash(password);
  const now = Date.now();
  const batch = 2_000;
  for (let start = 0; start < count; start += batch) {
    await services.flows.store.transaction(async (tx) => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const member: Member = {
          id: randomId(),
          displayName: `Player ${i}`,
          email: `player.${i}@bench.example`,
          birthDate: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
          status: 'active',
          emailVerified: true,
          mustReset: false,
          canary: false,
          failedSignIns: 0,
          createdAt: now,
          updatedAt: now,
        };
        await tx.members.insert(member, stored);
      }
    });
    onProgress?.(Math.min(count, start + batch));
  }
}

/** Opens `count` sessions for the first members and returns their bearer tokens. */
export async function seedSessions(services: Services, count: number): Promise<string[]> {
  const rows = await services.database.db.selectFrom('members').select('id').limit(count).execute();
  const tokens: string[] = [];
  const now = Date.now();
  await services.flows.store.transaction(async (tx) => {
    for (const row of rows) {
      const token = randomToken();
      await tx.sessions.create({ id: randomId(), tokenHash: hashToken(token), memberId: row.id, device: 'bench', ipPrefix: '127.0.0.0/24', amr: ['pwd'], now, expiresAt: now + 86_400_000 });
      tokens.push(token);
    }
  });
  return tokens;
}
