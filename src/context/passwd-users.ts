// uid → user name from a passwd file, parsed once and re-read only when the file changes.
//
// The host's /etc/passwd is used (not the container's): /proc/PID/status reports uids mapped into the agent's
// user namespace, i.e. host uids, so only the host's file names them consistently (a rootless container's
// "root" is some host user's subordinate uid).

import { statSync } from 'node:fs';
import { readProcBytes } from './proc-files.ts';

export interface UserNameLookup {
  /** The user name, or the uid as text when the file does not name it. */
  nameOf(uid: number): string;
}

// A passwd file beyond this is not one we should hold in memory; treat it as unreadable.
const MAX_PASSWD_BYTES = 16 * 1024 * 1024;

export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0];
    const uid = Number(fields[2]);
    if (name === undefined || name === '' || fields.length < 3 || !Number.isSafeInteger(uid) || uid < 0) continue;
    // getpwuid() returns the first entry for a uid, so the first one wins here too.
    if (!names.has(uid)) names.set(uid, name);
  }
  return names;
}

export class PasswdUserNames implements UserNameLookup {
  readonly path: string;
  #stamp: string | undefined;
  #names = new Map<number, string>();
  #loads = 0;

  constructor(path = '/etc/passwd') {
    this.path = path;
  }

  /** How many times the file was (re)parsed; tests and the debug summary read it. */
  get loads(): number {
    return this.#loads;
  }

  nameOf(uid: number): string {
    this.#refresh();
    return this.#names.get(uid) ?? String(uid);
  }

  #refresh(): void {
    let stamp: string;
    try {
      const st = statSync(this.path);
      // ino catches an atomic rename-over (useradd writes a new file) even within one mtime tick.
      stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      // A missing passwd file just means no names; keep whatever we had rather than flapping.
      return;
    }
    if (stamp === this.#stamp) return;
    const read = readProcBytes(this.path, MAX_PASSWD_BYTES);
    if (!read.ok) return;
    this.#names = parsePasswd(read.value.toString('utf8'));
    this.#stamp = stamp;
    this.#loads++;
  }
}

let hostUsers: PasswdUserNames | undefined;

/** The shared lookup over the host's /etc/passwd, created on first use. */
export function hostUserNames(): PasswdUserNames {
  hostUsers ??= new PasswdUserNames('/etc/passwd');
  return hostUsers;
}
