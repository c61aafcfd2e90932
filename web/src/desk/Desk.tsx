import type { User } from '../auth';

/** Desk is a screen still to be filled in. */
export function Desk({ user }: { user: User }) {
  return <h1>{user.displayName}</h1>;
}
