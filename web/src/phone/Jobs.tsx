// The engineer's phone view: the jobs they hold, each with its next step.
import { useState } from 'react';
import type { User } from '../auth';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { EndedJob, JobCard } from './JobCard';
import { messages } from './messages';
import { useJobs } from './useJobs';
import './phone.css';

/** Jobs is the screen an engineer works in on their phone. */
export function Jobs({ user }: { user: User }) {
  const t = useMessages(messages);
  const { jobs, error, loading, liveError, reload } = useJobs();
  const [notice, setNotice] = useState('');
  const active = (jobs ?? []).filter((j) => j.active);
  const ended = (jobs ?? []).filter((j) => !j.active);

  return (
    <div className="phone" data-user={user.username}>
      <div className="phone-top">
        <h1>{t('title')}</h1>
        <button type="button" className="phone-secondary" disabled={loading} onClick={() => void reload()}>
          {loading ? t('refreshing') : t('refresh')}
        </button>
      </div>
      <p className="phone-notice" role="status">{notice}</p>
      {liveError && <p className="phone-muted">{t('liveLost')}</p>}
      <ErrorMessage error={error} />
      {jobs === null && !error && <p>{t('loading')}</p>}
      {jobs !== null && (
        <>
          <section aria-labelledby="phone-active">
            <h2 id="phone-active">{t('active')}</h2>
            {active.length === 0 && <p>{t('noActive')}</p>}
            {active.map((job) => (
              <JobCard key={job.id} job={job} reload={reload} onNotice={setNotice} />
            ))}
          </section>
          {ended.length > 0 && (
            <section aria-labelledby="phone-ended">
              <h2 id="phone-ended">{t('ended')}</h2>
              <ul className="phone-ended-list">
                {ended.map((job) => (
                  <EndedJob key={job.id} job={job} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}
