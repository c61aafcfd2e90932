// Where the engineer's phone says it is, if it says so soon enough.

/** Position is a latitude and longitude in degrees. */
export interface Position {
  lat: number;
  lng: number;
}

/**
 * locate asks the phone for its position and resolves with it, or with
 * null when there is no geolocation, it is refused or fails, or it has not
 * answered within timeoutMs.
 */
export function locate(timeoutMs = 5000): Promise<Position | null> {
  if (!('geolocation' in navigator)) {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (p: Position | null) => {
      if (!done) {
        done = true;
        window.clearTimeout(timer);
        resolve(p);
      }
    };
    // A guard of our own: a permission prompt nobody answers never calls back.
    const timer = window.setTimeout(() => finish(null), timeoutMs + 500);
    try {
      navigator.geolocation.getCurrentPosition(
        (p) => finish({ lat: p.coords.latitude, lng: p.coords.longitude }),
        () => finish(null),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
      );
    } catch {
      finish(null);
    }
  });
}
