// detect_errors' triggerStatusCodes: "404", "5xx", "50x" — three characters, digits or x (any digit).

export type StatusPattern = (status: number) => boolean;

/** The matcher, or undefined when `pattern` is not three digits-or-x. */
export function compileStatusPattern(pattern: string): StatusPattern | undefined {
  const p = pattern.trim().toLowerCase();
  if (!/^[0-9x]{3}$/.test(p)) return undefined;
  return (status) => {
    const s = String(status);
    if (s.length !== 3) return false;
    for (let i = 0; i < 3; i++) if (p[i] !== 'x' && p[i] !== s[i]) return false;
    return true;
  };
}
