// Sign-in, session and sign-out against the server's /auth endpoints. The
// session itself is an HttpOnly cookie that only the server reads.
import { ApiError, requestJSON } from './api';

/** Role is what a user may do; the server decides, the app only shows it. */
export type Role = 'admin' | 'service_director' | 'account_manager' | 'dispatcher' | 'engineer' | 'customer_it';

/** User is the signed-in person as the server describes them. */
export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

interface UserEnvelope {
  user: User;
}

/** signIn checks a user name and password and starts a session. */
export async function signIn(username: string, password: string): Promise<User> {
  const body = await requestJSON<UserEnvelope>('/auth/sign-in', 'POST', { username, password });
  return body.user;
}

/** currentUser returns the session's user, or null when there is no valid session. */
export async function currentUser(): Promise<User | null> {
  try {
    const body = await requestJSON<UserEnvelope>('/auth/session', 'GET');
    return body.user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      return null;
    }
    throw err;
  }
}

/** signOut ends the session; like every POST the server takes, it carries a JSON body. */
export async function signOut(): Promise<void> {
  await requestJSON<unknown>('/auth/sign-out', 'POST', {});
}
