// One job card's requests: one at a time, the card's buttons disabled
// meanwhile, the jobs reloaded after each, and the last failure kept to show.
import { useCallback, useState } from 'react';

export interface Action {
  pending: boolean;
  error: unknown;
  /** run sends a request and reloads the jobs; it resolves true when the request succeeded. */
  run: (request: () => Promise<unknown>) => Promise<boolean>;
  clearError: () => void;
}

/** useAction runs a card's requests and reloads with reload after each that succeeds. */
export function useAction(reload: () => Promise<void>): Action {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = useCallback(
    async (request: () => Promise<unknown>) => {
      setPending(true);
      setError(null);
      try {
        await request();
      } catch (err) {
        setError(err);
        setPending(false);
        return false;
      }
      try {
        await reload();
      } finally {
        setPending(false);
      }
      return true;
    },
    [reload],
  );

  return { pending, error, run, clearError: useCallback(() => setError(null), []) };
}
