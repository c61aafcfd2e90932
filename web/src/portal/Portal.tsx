import type { User } from '../auth';

/** Portal is a screen still to be filled in. */
export function Portal({ user }: { user: User }) {
  return <h1>{user.displayName}</h1>;
}
