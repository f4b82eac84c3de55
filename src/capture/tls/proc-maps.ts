// /proc/PID/maps → the files a process has mapped, one entry per file (dev, inode).
//
// dev and inode come from maps itself rather than from stat(): for overlayfs (containers) maps shows the real
// underlying inode — the one a uprobe attaches to — so two containers from one image share one target.

export interface MappedFile {
  /** The path as the process sees it, without the " (deleted)" marker. */
  path: string;
  deleted: boolean;
  dev: number;
  ino: number;
  /** Some mapping of it is executable: code runs from it, so probes on it can fire. */
  executable: boolean;
  /** "start-end" of its first mapping: the name of its /proc/PID/map_files entry. */
  range: string;
}

const DELETED = ' (deleted)';

/** dev_t as stat() reports it (glibc's makedev), from maps' hexadecimal "major:minor". */
export function devFromMajorMinor(major: number, minor: number): number {
  return (minor & 0xff) + (major & 0xfff) * 0x100 + Math.floor(minor / 0x100) * 0x100000 + Math.floor(major / 0x1000) * 0x100000000;
}

export function parseMaps(text: string): MappedFile[] {
  const byKey = new Map<string, MappedFile>();
  for (const line of text.split('\n')) {
    // start-end perms offset dev inode [path] — the path may itself contain spaces.
    const m = /^([0-9a-f]+-[0-9a-f]+) (\S{4}) [0-9a-f]+ ([0-9a-f]+):([0-9a-f]+) (\d+)\s+(\/.*)$/.exec(line);
    if (m === null) continue;
    const [, range = '', perms = '', major = '', minor = '', inode = '', rawPath = ''] = m;
    const ino = Number(inode);
    // inode 0 = anonymous or pseudo mappings; nothing to attach to.
    if (ino === 0 || !Number.isSafeInteger(ino)) continue;
    const deleted = rawPath.endsWith(DELETED);
    const path = deleted ? rawPath.slice(0, -DELETED.length) : rawPath;
    const dev = devFromMajorMinor(Number.parseInt(major, 16), Number.parseInt(minor, 16));
    const key = `${dev}:${ino}`;
    const executable = perms[2] === 'x';
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { path, deleted, dev, ino, executable, range });
    else seen.executable ||= executable;
  }
  return [...byKey.values()];
}
