// The steps of a job before the repair: accept or decline it, set out, arrive.
import { useId, useState, type FormEvent } from 'react';
import { useMessages } from '../i18n';
import { acceptJob, arriveForJob, declineJob, departForJob, type Job } from './data';
import { locate } from './geo';
import { messages } from './messages';
import type { Action } from './useAction';

interface Props {
  job: Job;
  action: Action;
  onNotice: (notice: string) => void;
}

/** TravelActions offers the next step of a job that is not yet on site. */
export function TravelActions({ job, action, onNotice }: Props) {
  const t = useMessages(messages);
  const [declining, setDeclining] = useState(false);
  const [locating, setLocating] = useState(false);
  const busy = action.pending || locating;

  async function arrive() {
    setLocating(true);
    const here = await locate();
    setLocating(false);
    const at = here ?? { lat: job.site.lat, lng: job.site.lng };
    if (await action.run(() => arriveForJob(job.id, at.lat, at.lng))) {
      onNotice(t(here ? 'arrivedAtGps' : 'arrivedAtSite'));
    }
  }

  const canDecline = job.state === 'PROPOSED' || job.state === 'ACCEPTED';
  return (
    <div className="phone-actions">
      {job.state === 'PROPOSED' && (
        <button type="button" className="phone-primary" disabled={busy} onClick={() => void action.run(() => acceptJob(job.id))}>
          {t('accept')}
        </button>
      )}
      {job.state === 'ACCEPTED' && (
        <button type="button" className="phone-primary" disabled={busy} onClick={() => void action.run(() => departForJob(job.id))}>
          {t('depart')}
        </button>
      )}
      {job.state === 'EN_ROUTE' && (
        <button type="button" className="phone-primary" disabled={busy} onClick={() => void arrive()}>
          {locating ? t('locating') : t('arrive')}
        </button>
      )}
      {canDecline && !declining && (
        <button type="button" className="phone-secondary" disabled={busy} onClick={() => setDeclining(true)}>
          {t('decline')}
        </button>
      )}
      {canDecline && declining && (
        <DeclineForm job={job} action={action} onClose={() => setDeclining(false)} onNotice={onNotice} />
      )}
    </div>
  );
}

function DeclineForm({ job, action, onClose, onNotice }: { job: Job; action: Action; onClose: () => void; onNotice: (n: string) => void }) {
  const t = useMessages(messages);
  const id = useId();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    if (await action.run(() => declineJob(job.id, reason.trim()))) {
      onNotice(t('declined', { number: job.incident.number }));
      onClose();
    }
  }

  return (
    <form className="phone-form phone-decline" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} noValidate>
      <h4 id={`${id}-title`} className="phone-subheading">{t('declineTitle', { number: job.incident.number })}</h4>
      <label htmlFor={`${id}-reason`}>{t('declineReason')}</label>
      <textarea id={`${id}-reason`} rows={3} value={reason} aria-invalid={missing || undefined}
        aria-describedby={missing ? `${id}-missing` : undefined} onChange={(e) => setReason(e.target.value)} />
      {missing && <p id={`${id}-missing`} role="alert" className="phone-invalid">{t('declineNeedsReason')}</p>}
      <div className="phone-row">
        <button type="submit" className="phone-danger" disabled={action.pending}>{t('declineSubmit')}</button>
        <button type="button" className="phone-secondary" disabled={action.pending} onClick={onClose}>{t('cancel')}</button>
      </div>
    </form>
  );
}
