export type MemberStatus = 'active' | 'suspended' | 'deleted';

/** A member as the flows see it: personal data in clear, only ever in memory. */
export interface Member {
  id: string;
  displayName: string;
  email: string;
  birthDate: string;
  status: MemberStatus;
  emailVerified: boolean;
  mustReset: boolean;
  canary: boolean;
  /** Consecutive failed sign-ins since the last success. */
  failedSignIns: number;
  createdAt: number;
  updatedAt: number;
}
