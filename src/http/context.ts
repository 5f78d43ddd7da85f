import type { FlowDeps } from '../flows/deps.ts';

/** What the HTTP layer hands to every route registrar. Routes reach the store only through flows. */
export interface HttpDeps {
  flows: FlowDeps;
  cookies: CookiePolicy;
}

export interface CookiePolicy {
  secure: boolean;
  sessionName: string;
  csrfName: string;
  deviceName: string;
  /** Key for the CSRF form token and the device cookie's signature. */
  csrfKey: Buffer;
}

export function cookiePolicy(publicUrl: string, csrfKey: Buffer): CookiePolicy {
  const secure = publicUrl.startsWith('https://');
  // The __Host- prefix makes the browser refuse the cookie unless Secure, host-only and Path=/.
  const prefix = secure ? '__Host-' : '';
  return { secure, sessionName: `${prefix}pp_session`, csrfName: `${prefix}pp_csrf`, deviceName: `${prefix}pp_device`, csrfKey };
}
