// One job as the engineer works it: what and where, the clocks, the next step.
import { ErrorMessage } from '../ui/ErrorMessage';
import { useI18n, useMessages } from '../i18n';
import type { Job } from './data';
import { dateTime, decimal } from './format';
import { messages } from './messages';
import { RepairForms } from './RepairForms';
import { RepairRecord } from './RepairRecord';
import { SlaClocks } from './SlaClocks';
import { TravelActions } from './TravelActions';
import { useAction } from './useAction';

interface Props {
  job: Job;
  reload: () => Promise<void>;
  onNotice: (notice: string) => void;
}

/** JobCard shows an active job in full, with what the engineer can do next. */
export function JobCard({ job, reload, onNotice }: Props) {
  const t = useMessages(messages);
  const action = useAction(reload);
  const headingId = `phone-job-${job.id}`;
  return (
    <article className="phone-job" aria-labelledby={headingId} aria-busy={action.pending} data-incident={job.incident.number} data-state={job.state}>
      <h3 id={headingId} className="phone-job-title">
        {t('incident', { number: job.incident.number })}
        <span className={`phone-priority phone-priority-${job.incident.priority}`}>{job.incident.priority}</span>
      </h3>
      <JobFacts job={job} />
      <SlaClocks clocks={job.incident.slaClocks} number={job.incident.number} />
      <Reservations job={job} />
      {job.state === 'ON_SITE' && <RepairRecord repair={job.incident.repair} number={job.incident.number} />}
      <ErrorMessage error={action.error} />
      {job.state === 'ON_SITE'
        ? <RepairForms job={job} action={action} />
        : <TravelActions job={job} action={action} onNotice={onNotice} />}
      {action.pending && <p className="phone-muted" role="status">{t('working')}</p>}
    </article>
  );
}

function JobFacts({ job }: { job: Job }) {
  const t = useMessages(messages);
  const { language } = useI18n();
  const { site } = job;
  const map = `geo:${site.lat},${site.lng}?q=${site.lat},${site.lng}(${encodeURIComponent(site.name)})`;
  return (
    <dl className="phone-facts">
      <dt>{t('jobState')}</dt>
      <dd data-testid="job-state">{t(`state.${job.state}`)}</dd>
      <dt>{t('incidentStatus')}</dt>
      <dd data-testid="incident-status">{t(`status.${job.incident.status}`)}</dd>
      <dt>{t('symptoms')}</dt>
      <dd>{job.incident.symptoms}</dd>
      <dt>{t('site')}</dt>
      <dd>
        <strong>{site.name}</strong>
        <br />
        {site.address}, {site.city}
        <br />
        {t('distance', { km: decimal(language, job.distanceKm) })} ·{' '}
        <a href={map} className="phone-link">{t('openMap', { name: site.name })}</a>
      </dd>
      <dt>{t('eta')}</dt>
      <dd>{dateTime(language, job.eta)}</dd>
    </dl>
  );
}

function Reservations({ job }: { job: Job }) {
  const t = useMessages(messages);
  if (job.parts.length === 0) {
    return <p className="phone-muted">{t('noParts')}</p>;
  }
  return (
    <section className="phone-parts" aria-labelledby={`phone-parts-${job.id}`}>
      <h4 id={`phone-parts-${job.id}`} className="phone-subheading">{t('parts')}</h4>
      <ul>
        {job.parts.map((p, i) => (
          <li key={`${p.part.fru}-${i}`}>
            <strong>{p.quantity} × {p.part.fru}</strong> {p.part.description}
            <br />
            {p.depot ? t('partAtDepot', { depot: `${p.depot.name} (${p.depot.city})` }) : t('partInVan')}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** EndedJob is one line for a job that no longer holds the engineer. */
export function EndedJob({ job }: { job: Job }) {
  const t = useMessages(messages);
  return (
    <li className="phone-ended" data-incident={job.incident.number} data-state={job.state}>
      <strong>{t('incident', { number: job.incident.number })}</strong> · {t(`state.${job.state}`)}
      <br />
      <span className="phone-muted">{job.site.name} · {job.incident.symptoms}</span>
    </li>
  );
}
