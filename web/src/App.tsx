import { lazy, Suspense, useEffect, useState } from 'react';
import { currentUser, signOut, type User } from './auth';
import { useI18n, useMessages, type Messages } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { SignInForm } from './SignInForm';
import { navigate, screenAt, screensOf, usePath, type Screen } from './routes';

// Each screen is loaded when first shown: an engineer's phone never loads
// the board's map data, nor corporate IT the desk's charts.
const Board = lazy(() => import('./board/Board').then((m) => ({ default: m.Board })));
const Desk = lazy(() => import('./desk/Desk').then((m) => ({ default: m.Desk })));
const Portal = lazy(() => import('./portal/Portal').then((m) => ({ default: m.Portal })));
const PartsPlan = lazy(() => import('./plan/PartsPlan').then((m) => ({ default: m.PartsPlan })));
const Jobs = lazy(() => import('./phone/Jobs').then((m) => ({ default: m.Jobs })));

type Session = { state: 'checking' } | { state: 'signedOut' } | { state: 'signedIn'; user: User };

const screenNames: Messages<Screen | 'screens'> = {
  en: { board: 'Dispatch board', plan: 'Parts plan', desk: 'Account desk', portal: 'Service portal', jobs: 'My jobs', screens: 'Screens' },
  zh: { board: '调度看板', plan: '备件计划', desk: '客户经理工作台', portal: '服务门户', jobs: '我的工单', screens: '页面' },
};

/** App is the shell every screen sits in: the header, sign-in until there is a session, then the person's screens. */
export function App() {
  const { t, roleName } = useI18n();
  const name = useMessages(screenNames);
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const path = usePath();

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
      navigate('/');
    }
  }

  const user = session.state === 'signedIn' ? session.user : null;
  const screen = user ? screenAt(path, user.role) : null;
  return (
    <>
      <header className="app-header">
        <span className="product">{t('productName')}</span>
        {user && (
          <nav aria-label={name('screens')} className="screens">
            {screensOf(user.role).map((s) => (
              <a key={s} href={`/${s}`} aria-current={s === screen ? 'page' : undefined}
                onClick={(e) => { e.preventDefault(); navigate(`/${s}`); }}>
                {name(s)}
              </a>
            ))}
          </nav>
        )}
        <div className="header-end">
          {user && (
            <>
              <span className="who">{t('signedInAs', { name: user.displayName, role: roleName(user.role) })}</span>
              <button type="button" onClick={end}>{t('signOut')}</button>
            </>
          )}
          <LanguageSwitch />
        </div>
      </header>
      <main className={user ? `screen screen-${screen}` : 'narrow'}>
        {session.state === 'checking' && <p aria-live="polite">{t('checkingSession')}</p>}
        {session.state === 'signedOut' && <SignInForm onSignedIn={(u) => setSession({ state: 'signedIn', user: u })} />}
        <Suspense fallback={<p aria-live="polite">{t('checkingSession')}</p>}>
          {user && screen === 'board' && <Board user={user} />}
          {user && screen === 'plan' && <PartsPlan user={user} />}
          {user && screen === 'desk' && <Desk user={user} />}
          {user && screen === 'portal' && <Portal user={user} />}
          {user && screen === 'jobs' && <Jobs user={user} />}
        </Suspense>
      </main>
    </>
  );
}
