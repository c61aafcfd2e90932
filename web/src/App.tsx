import { useEffect, useState } from 'react';
import { currentUser, signOut, type User } from './auth';
import { useI18n } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { SignInForm } from './SignInForm';

type Session = { state: 'checking' } | { state: 'signedOut' } | { state: 'signedIn'; user: User };

/** App is the shell every page sits in: the header, and sign-in until there is a session. */
export function App() {
  const { t, roleName } = useI18n();
  const [session, setSession] = useState<Session>({ state: 'checking' });

  useEffect(() => {
    let live = true;
    currentUser()
      .then((user) => live && setSession(user ? { state: 'signedIn', user } : { state: 'signedOut' }))
      .catch(() => live && setSession({ state: 'signedOut' }));
    return () => {
      live = false;
    };
  }, []);

  async function end() {
    try {
      await signOut();
    } finally {
      setSession({ state: 'signedOut' });
    }
  }

  return (
    <>
      <header className="app-header">
        <span className="product">{t('productName')}</span>
        <LanguageSwitch />
      </header>
      <main>
        {session.state === 'checking' && <p aria-live="polite">{t('checkingSession')}</p>}
        {session.state === 'signedOut' && <SignInForm onSignedIn={(user) => setSession({ state: 'signedIn', user })} />}
        {session.state === 'signedIn' && (
          <section className="session">
            <p>{t('signedInAs', { name: session.user.displayName, role: roleName(session.user.role) })}</p>
            <button type="button" onClick={end}>
              {t('signOut')}
            </button>
          </section>
        )}
      </main>
    </>
  );
}
