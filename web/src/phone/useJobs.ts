// The engineer's jobs as they stand: read on mount, again every 30 seconds
// (for jobs given meanwhile), and whenever one of the active jobs'
// incidents has an event (live, over the shared WebSocket).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { subscribe, type ApiError } from '../api';
import { incidentEventsQuery, loadJobs, type Job } from './data';

const pollMs = 30_000;

export interface JobsState {
  jobs: Job[] | null;
  error: unknown;
  loading: boolean;
  liveError: ApiError | null;
  reload: () => Promise<void>;
}

/** useJobs keeps the engineer's jobs fresh and says how the last read went. */
export function useJobs(): JobsState {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const reload = useReload(setJobs, setError, setLoading);

  useEffect(() => {
    void reload();
    const id = window.setInterval(() => void reload(), pollMs);
    return () => window.clearInterval(id);
  }, [reload]);

  const liveError = useLive(jobs, reload);
  return { jobs, error, loading, liveError, reload };
}

/**
 * useReload returns a reload that never runs twice at once: a call made
 * while one is in flight waits for it and then reads once more, so that
 * a burst of events costs at most two reads and the last one wins.
 */
function useReload(setJobs: (j: Job[]) => void, setError: (e: unknown) => void, setLoading: (l: boolean) => void) {
  const inFlight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const readOnce = useCallback(async () => {
    setLoading(true);
    try {
      const next = await loadJobs();
      if (mounted.current) {
        setJobs(next);
        setError(null);
      }
    } catch (err) {
      if (mounted.current) setError(err);
    } finally {
      if (mounted.current) setLoading(false);
    }
  }, [setJobs, setError, setLoading]);

  return useCallback(async (): Promise<void> => {
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const run = (async () => {
      do {
        again.current = false;
        await readOnce();
      } while (again.current && mounted.current);
    })();
    inFlight.current = run;
    try {
      await run;
    } finally {
      inFlight.current = null;
    }
  }, [readOnce]);
}

/** useLive subscribes to the events of every active job's incident and reloads on each. */
function useLive(jobs: Job[] | null, reload: () => Promise<void>): ApiError | null {
  const [liveError, setLiveError] = useState<ApiError | null>(null);
  const key = useMemo(
    () => (jobs ?? []).filter((j) => j.active).map((j) => j.incident.id).sort().join(' '),
    [jobs],
  );

  useEffect(() => {
    if (!key) return undefined;
    setLiveError(null);
    const stops = key.split(' ').map((id) =>
      subscribe(incidentEventsQuery, { id }, () => {
        setLiveError(null);
        void reload();
      }, setLiveError),
    );
    return () => stops.forEach((stop) => stop());
  }, [key, reload]);

  return liveError;
}
