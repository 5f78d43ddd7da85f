import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { PassError } from '../domain/errors.ts';

/**
 * Named limits for credential endpoints. Keys are IPs, keyed account hashes (never plain emails) or
 * member ids. Rules named `*_fail_*` count failures only: they are checked before an attempt and
 * charged after a failure, so a member who gets their password right is never slowed by them.
 */
export const rateRules = {
  join_ip: { points: 30, durationSeconds: 3600 },
  sign_in_ip: { points: 120, durationSeconds: 60 },
  sign_in_fail_ip: { points: 40, durationSeconds: 900 },
  sign_in_fail_ip_account: { points: 5, durationSeconds: 900 },
  sign_in_fail_account: { points: 20, durationSeconds: 900 },
  sign_in_fail_global: { points: 1000, durationSeconds: 60 },
  reset_request_ip: { points: 30, durationSeconds: 3600 },
  reset_request_account: { points: 5, durationSeconds: 3600 },
  sign_in_mail_member: { points: 5, durationSeconds: 3600 },
  token_ip: { points: 60, durationSeconds: 600 },
  member_sensitive: { points: 10, durationSeconds: 600 },
  /** A full export of a member's data (GET /api/v1/me/export): a few an hour. */
  member_export: { points: 3, durationSeconds: 3600 },
  /** The second sign-in step (codes, recovery codes, passkeys): every try per IP, failures per member. */
  mfa_ip: { points: 60, durationSeconds: 60 },
  mfa_fail_member: { points: 10, durationSeconds: 900 },
  /** /link: device user codes are short (RFC 8628 §5.1), so their entry is limited per IP. */
  device_code_ip: { points: 20, durationSeconds: 600 },
} as const;

export type RateRule = keyof typeof rateRules;

export interface RateLimits {
  /** Counts one attempt; throws `rate_limited` with Retry-After once the rule's budget is spent. */
  consume(rule: RateRule, key: string): Promise<void>;
  /** Throws `rate_limited` if the budget is already spent, without counting anything. */
  check(rule: RateRule, key: string): Promise<void>;
  /** Counts one failure against a failure-only rule, never throwing. */
  charge(rule: RateRule, key: string): Promise<void>;
  /** Forgets a key's attempts, e.g. after a successful sign-in. */
  reset(rule: RateRule, key: string): Promise<void>;
}

export type RateLimitObserver = (rule: RateRule) => void;

/**
 * One limiter per rule: in process memory, or in Redis (shared by every node) with an in-memory
 * insurance limiter that takes over while Redis is unreachable, so an outage never opens the gates.
 */
export function createRateLimits(options: { redis?: Redis | undefined; onLimited?: RateLimitObserver } = {}): RateLimits {
  const limiters = new Map<RateRule, RateLimiterAbstract>();
  for (const rule of Object.keys(rateRules) as RateRule[]) {
    const { points, durationSeconds } = rateRules[rule];
    const memory = new RateLimiterMemory({ keyPrefix: `pp:${rule}`, points, duration: durationSeconds });
    limiters.set(
      rule,
      options.redis
        ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `pp:rl:${rule}`, points, duration: durationSeconds, insuranceLimiter: memory, rejectIfRedisNotReady: true })
        : memory,
    );
  }
  const limiter = (rule: RateRule) => limiters.get(rule)!;
  const limited = (rule: RateRule, msBeforeNext: number) => {
    options.onLimited?.(rule);
    return new PassError('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) });
  };
  return {
    async consume(rule, key) {
      try {
        await limiter(rule).consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw limited(rule, error.msBeforeNext);
        throw error;
      }
    },
    async check(rule, key) {
      const state = await limiter(rule).get(key);
      if (state && state.consumedPoints >= rateRules[rule].points) throw limited(rule, state.msBeforeNext);
    },
    async charge(rule, key) {
      await limiter(rule).penalty(key, 1);
    },
    async reset(rule, key) {
      await limiter(rule).delete(key);
    },
  };
}
