import type { User } from '../auth';

/** Jobs is a screen still to be filled in. */
export function Jobs({ user }: { user: User }) {
  return <h1>{user.displayName}</h1>;
}
