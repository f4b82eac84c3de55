// Colours only where a person reads them: on when the stream is a terminal, unless NO_COLOR is set; FORCE_COLOR
// (any value but "0" or "false") forces them on, as does `color: always` in the plugin config; `color: never`
// turns them off (https://no-color.org, https://force-color.org).

import type { Writable } from 'node:stream';

export type ColorSetting = 'auto' | 'always' | 'never';

export function colorEnabled(
  setting: ColorSetting,
  stream: Writable,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (setting !== 'auto') return setting === 'always';
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return (stream as Writable & { isTTY?: boolean }).isTTY === true;
}
