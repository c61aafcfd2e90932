// What an engineer on site records: the diagnosis, each part used, the
// test of the repair, and at last the job's completion.
import { useId, useState, type FormEvent } from 'react';
import { useMessages } from '../i18n';
import { completeJob, recordDiagnosis, recordPartUsed, recordTestResult, type Job } from './data';
import { messages } from './messages';
import type { Action } from './useAction';

interface Props {
  job: Job;
  action: Action;
}

/** RepairForms are the on-site steps of a job, each a small form. */
export function RepairForms({ job, action }: Props) {
  return (
    <div className="phone-repair-forms">
      <DiagnosisForm job={job} action={action} />
      <PartForm job={job} action={action} />
      <TestForm job={job} action={action} />
      <CompleteForm job={job} action={action} />
    </div>
  );
}

function DiagnosisForm({ job, action }: Props) {
  const t = useMessages(messages);
  const id = useId();
  const [text, setText] = useState(job.incident.repair.diagnosis);
  const [missing, setMissing] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setMissing(text.trim() === '');
    if (text.trim() !== '') await action.run(() => recordDiagnosis(job.incident.id, text.trim()));
  }

  return (
    <form className="phone-form" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={`${id}-diagnosis`}>{t('diagnosis')}</label>
      <textarea id={`${id}-diagnosis`} rows={3} value={text} onChange={(e) => setText(e.target.value)}
        aria-invalid={missing || undefined} aria-describedby={missing ? `${id}-missing` : undefined} />
      {missing && <p id={`${id}-missing`} role="alert" className="phone-invalid">{t('diagnosisNeeded')}</p>}
      <button type="submit" disabled={action.pending}>{t('saveDiagnosis')}</button>
    </form>
  );
}

function PartForm({ job, action }: Props) {
  const t = useMessages(messages);
  const id = useId();
  const frus = [...new Set(job.parts.map((p) => p.part.fru))];
  const [fru, setFru] = useState(frus[0] ?? '');
  const [serial, setSerial] = useState('');
  const [removed, setRemoved] = useState('');
  const [missing, setMissing] = useState(false);

  if (frus.length === 0) {
    return <p className="phone-muted">{t('noReservedParts')}</p>;
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const bad = fru === '' || serial.trim() === '';
    setMissing(bad);
    if (bad) return;
    const input = { incidentId: job.incident.id, fru, serialNumber: serial.trim(), ...(removed.trim() ? { removedSerialNumber: removed.trim() } : {}) };
    if (await action.run(() => recordPartUsed(input))) {
      setSerial('');
      setRemoved('');
    }
  }

  return (
    <form className="phone-form" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={`${id}-fru`}>{t('partFru')}</label>
      <select id={`${id}-fru`} value={fru} onChange={(e) => setFru(e.target.value)}>
        {frus.map((f) => (
          <option key={f} value={f}>{f}</option>
        ))}
      </select>
      <label htmlFor={`${id}-serial`}>{t('serialNumber')}</label>
      <input id={`${id}-serial`} value={serial} autoCapitalize="characters" autoComplete="off" onChange={(e) => setSerial(e.target.value)}
        aria-invalid={missing || undefined} aria-describedby={missing ? `${id}-missing` : undefined} />
      <label htmlFor={`${id}-removed`}>{t('removedSerial')}</label>
      <input id={`${id}-removed`} value={removed} autoCapitalize="characters" autoComplete="off" onChange={(e) => setRemoved(e.target.value)} />
      {missing && <p id={`${id}-missing`} role="alert" className="phone-invalid">{t('partNeedsSerial')}</p>}
      <button type="submit" disabled={action.pending}>{t('recordPart')}</button>
    </form>
  );
}

function TestForm({ job, action }: Props) {
  const t = useMessages(messages);
  const id = useId();
  const [passed, setPassed] = useState(true);
  const [notes, setNotes] = useState('');

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (await action.run(() => recordTestResult(job.incident.id, passed, notes.trim()))) setNotes('');
  }

  return (
    <form className="phone-form" onSubmit={(e) => void submit(e)}>
      <fieldset className="phone-choice">
        <legend>{t('testResult')}</legend>
        <label className="phone-radio">
          <input type="radio" name={`${id}-result`} checked={passed} onChange={() => setPassed(true)} /> {t('testPassed')}
        </label>
        <label className="phone-radio">
          <input type="radio" name={`${id}-result`} checked={!passed} onChange={() => setPassed(false)} /> {t('testFailed')}
        </label>
      </fieldset>
      <label htmlFor={`${id}-notes`}>{t('testNotes')}</label>
      <input id={`${id}-notes`} value={notes} onChange={(e) => setNotes(e.target.value)} />
      <button type="submit" disabled={action.pending}>{t('recordTest')}</button>
    </form>
  );
}

function CompleteForm({ job, action }: Props) {
  const t = useMessages(messages);
  const id = useId();
  const [note, setNote] = useState('');

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    await action.run(() => completeJob(job.id, note.trim()));
  }

  return (
    <form className="phone-form phone-complete" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="phone-subheading">{t('completeTitle')}</h4>
      <label htmlFor={`${id}-note`}>{t('completeNote')}</label>
      <textarea id={`${id}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" className="phone-primary" disabled={action.pending}>{t('complete')}</button>
    </form>
  );
}
