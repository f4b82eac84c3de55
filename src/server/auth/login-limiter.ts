// Slows password guessing: after MAX_FAILURES failed logins for one user name within the window, further
// attempts for that name are refused (429, Retry-After) until the window has passed. Per name rather than per
// address, so a guesser spreading over many addresses gains nothing; in memory, so a restart forgets (the scrypt
// cost per attempt remains). A success clears the name's count.

const MAX_FAILURES = 5;
const WINDOW_MS = 5 * 60_000;
const MAX_TRACKED = 10_000;

export class LoginLimiter {
  readonly #failures = new Map<string, { count: number; since: number }>();

  /** Seconds to wait before this name may try again; 0 when it may now. */
  retryAfter(username: string, now = Date.now()): number {
    const f = this.#failures.get(username.toLowerCase());
    if (f === undefined || now - f.since >= WINDOW_MS) return 0;
    return f.count >= MAX_FAILURES ? Math.ceil((f.since + WINDOW_MS - now) / 1000) : 0;
  }

  failed(username: string, now = Date.now()): void {
    const key = username.toLowerCase();
    const f = this.#failures.get(key);
    if (f === undefined || now - f.since >= WINDOW_MS) {
      if (this.#failures.size >= MAX_TRACKED) this.#sweep(now);
      this.#failures.set(key, { count: 1, since: now });
    } else f.count++;
  }

  succeeded(username: string): void {
    this.#failures.delete(username.toLowerCase());
  }

  #sweep(now: number): void {
    for (const [k, f] of this.#failures) if (now - f.since >= WINDOW_MS) this.#failures.delete(k);
    // Still full (a spray of names): forget the oldest half rather than grow without bound.
    if (this.#failures.size >= MAX_TRACKED) [...this.#failures.keys()].slice(0, MAX_TRACKED / 2).forEach((k) => this.#failures.delete(k));
  }
}
