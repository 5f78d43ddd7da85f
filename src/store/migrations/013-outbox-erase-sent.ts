import type { Kysely } from 'kysely';

// Mail sent or abandoned before 2026-11-25 kept its (encrypted) recipient; since then such rows
// keep neither recipient nor values (src/store/outbox.ts). This erases the older ones the same way.
export async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('outbox').set({ recipient_ct: '', payload_ct: null }).where('status', 'in', ['sent', 'abandoned']).execute();
}

export async function down(): Promise<void> {
  // Erased values cannot come back.
}
