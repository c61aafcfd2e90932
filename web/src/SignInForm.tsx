import { useId, useState, type FormEvent } from 'react';
import { ApiError } from './api';
import { signIn, type User } from './auth';
import { useI18n, type MessageKey } from './i18n';

const errorMessages: Record<string, MessageKey> = {
  EUNAUTHORIZED: 'errorUnauthorized',
  ERATELIMIT: 'errorRateLimit',
  EINVALID: 'errorInvalid',
};

/** SignInForm asks for a user name and password and reports the signed-in user. */
export function SignInForm({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const id = useId();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setFailure(null);
    try {
      onSignedIn(await signIn(username, password));
    } catch (err) {
      setFailure(err instanceof ApiError ? err : new ApiError('EINTERNAL', String(err)));
      setPassword('');
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('signInTitle')}</h1>
      <label htmlFor={`${id}-username`}>{t('username')}</label>
      <input
        id={`${id}-username`}
        name="username"
        autoComplete="username"
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor={`${id}-password`}>{t('password')}</label>
      <input
        id={`${id}-password`}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={pending}>
        {pending ? t('signingIn') : t('signIn')}
      </button>
      {failure && (
        <div role="alert" className="error">
          <p>{t(errorMessages[failure.code] ?? 'errorOther')}</p>
          <p className="server-message">{t('serverSaid', { message: failure.message })}</p>
        </div>
      )}
    </form>
  );
}
