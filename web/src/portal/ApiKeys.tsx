import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMessages } from '../i18n';
import { ErrorMessage } from '../ui/ErrorMessage';
import { createKey, loadKeys, revokeKey, type ApiKey } from './data';
import { messages } from './messages';

/** ApiKeys lists the caller's API keys, creates one (its secret shown once) and revokes them. */
export function ApiKeys() {
  const t = useMessages(messages);
  const id = useId();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<ApiKey | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const reload = () => loadKeys().then(setKeys, setFailure);
  useEffect(() => {
    reload();
  }, []);

  async function create(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      setSecret(await createKey(name.trim()));
      setName('');
      setCopied(false);
      reload();
    } catch (err) {
      setFailure(err);
    }
  }

  async function revoke(k: ApiKey) {
    setFailure(null);
    try {
      await revokeKey(k.id);
      setConfirming(null);
      reload();
    } catch (err) {
      setFailure(err);
    }
  }

  const date = (s: string) => new Date(s).toLocaleDateString();
  return (
    <section aria-labelledby={`${id}-title`} className="portal-keys">
      <h2 id={`${id}-title`}>{t('keys')}</h2>
      <ErrorMessage error={failure} />
      {secret ? (
        <div className="portal-secret" role="dialog" aria-labelledby={`${id}-once`}>
          <p id={`${id}-once`}>{t('secretOnce')}</p>
          <code data-testid="api-key-secret">{secret}</code>
          <button type="button" onClick={() => navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>
            {t('copy')}
          </button>
          {copied && <span role="status">{t('copied')}</span>}
          <button type="button" className="primary" onClick={() => setSecret('')}>{t('done')}</button>
        </div>
      ) : (
        <form onSubmit={create} className="portal-form">
          <label htmlFor={`${id}-name`}>{t('keyName')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          <button type="submit" className="primary" disabled={!name.trim()}>{t('createKey')}</button>
        </form>
      )}
      {keys === null ? <p>{t('loading')}</p> : keys.length === 0 ? <p>{t('noKeys')}</p> : (
        <ul className="portal-list">
          {keys.map((k) => (
            <li key={k.id} data-key={k.name}>
              <strong>{k.name}</strong> · {t('created', { date: date(k.createdAt) })} ·{' '}
              {k.revokedAt ? t('revoked', { date: date(k.revokedAt) }) : t('active')}
              {!k.revokedAt && confirming?.id !== k.id && (
                <button type="button" onClick={() => setConfirming(k)}>{t('revoke', { name: k.name })}</button>
              )}
              {confirming?.id === k.id && (
                <span className="portal-confirm" role="group">
                  {t('revokeConfirm', { name: k.name })}{' '}
                  <button type="button" className="danger" onClick={() => revoke(k)}>{t('revoke', { name: k.name })}</button>
                  <button type="button" onClick={() => setConfirming(null)}>{t('cancel')}</button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
