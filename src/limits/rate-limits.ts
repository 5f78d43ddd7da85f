import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { PassError } from '../domain/errors.ts';

/**
 * Named limits for credential endpoints. Keys are IPs, blind-indexed accounts or member ids, never
 * plain emails. In memory on one node; a shared backend can replace the limiter per rule.
 */
export const rateRules = {
  join_ip: { points: 30, durationSeconds: 3600 },
  sign_in_ip: { points: 60, durationSeconds: 60 },
  sign_in_ip_account: { points: 10, durationSeconds: 600 },
  reset_request_ip: { points: 30, durationSeconds: 3600 },
  reset_request_account: { points: 5, durationSeconds: 3600 },
  token_ip: { points: 60, durationSeconds: 600 },
  member_sensitive: { points: 10, durationSeconds: 600 },
} as const;

export type RateRule = keyof typeof rateRules;

export interface RateLimits {
  /** Counts one attempt; throws `rate_limited` with Retry-After once the rule's budget is spent. */
  consume(rule: RateRule, key: string): Promise<void>;
  /** Forgets a key's attempts, e.g. after a successful sign-in. */
  reset(rule: RateRule, key: string): Promise<void>;
}

export function createRateLimits(build: (rule: RateRule) => RateLimiterAbstract = memoryLimiter): RateLimits {
  const limiters = new Map<RateRule, RateLimiterAbstract>();
  for (const rule of Object.keys(rateRules) as RateRule[]) limiters.set(rule, build(rule));
  return {
    async consume(rule, key) {
      try {
        await limiters.get(rule)!.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          throw new PassError('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) });
        }
        throw error;
      }
    },
    async reset(rule, key) {
      await limiters.get(rule)!.delete(key);
    },
  };
}

function memoryLimiter(rule: RateRule): RateLimiterAbstract {
  const { points, durationSeconds } = rateRules[rule];
  return new RateLimiterMemory({ keyPrefix: rule, points, duration: durationSeconds });
}
