import assert from 'node:assert/strict';
import type { TestApp } from './test-app.ts';

export interface TestMember {
  displayName: string;
  email: string;
  birthDate: string;
  password: string;
}

/** Joins and confirms the address through the API and the real mail, like a member would. */
export async function joinVerified(t: TestApp, member: TestMember): Promise<void> {
  assert.equal((await t.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => m.to.includes(member.email) && /confirm your email/i.test(m.subject));
  assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
}
