import type { User } from '../auth';

/** Board is a screen still to be filled in. */
export function Board({ user }: { user: User }) {
  return <h1>{user.displayName}</h1>;
}
