// Which screens there are, who works in which, and moving between them
// without reloading the page. The screens only arrange what the API lets
// each person see; access is the server's to decide.
import { useEffect, useState } from 'react';
import type { Role } from './auth';

/** Screen is one of the app's working screens, by its path. */
export type Screen = 'board' | 'plan' | 'desk' | 'portal' | 'jobs';

/** screensOf lists the screens a role works in, its home screen first. */
export function screensOf(role: Role): Screen[] {
  switch (role) {
    case 'dispatcher':
      return ['board', 'plan'];
    case 'account_manager':
      return ['desk'];
    case 'service_director':
      return ['desk', 'board', 'plan'];
    case 'customer_it':
      return ['portal'];
    case 'engineer':
      return ['jobs'];
    case 'admin':
      return ['board', 'plan', 'desk', 'portal'];
  }
}

/** navigate moves to a path as a link would, without reloading. */
export function navigate(path: string) {
  if (window.location.pathname + window.location.search !== path) {
    window.history.pushState(null, '', path);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
}

/** usePath is the current path, following navigate and the back button. */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const follow = () => setPath(window.location.pathname);
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);
  return path;
}

/** screenAt is the screen a path shows for a role: its own, or its home. */
export function screenAt(path: string, role: Role): Screen {
  const screens = screensOf(role);
  const named = path.split('/')[1] as Screen;
  return screens.includes(named) ? named : (screens[0] ?? named);
}
