// Every record the spool gives up on is counted (counters) and logged (here). The first loss is logged at once;
// later ones are added up and logged at most once per interval, so a full spool under load writes one line every
// ten seconds instead of one per record, and close() logs what is left.

import type { Logger } from '../../core/logger.ts';

export interface LossReport {
  note(reason: string, records: number): void;
  close(): void;
}

const INTERVAL_MS = 10_000;

export function createLossReport(log: Logger, store: string, intervalMs = INTERVAL_MS): LossReport {
  let held = new Map<string, number>();
  let lastLog = -Infinity;
  let timer: NodeJS.Timeout | undefined;

  const emit = () => {
    timer = undefined;
    if (held.size === 0) return;
    lastLog = Date.now();
    log.warn({ store, dropped: Object.fromEntries(held) }, `${store}: records dropped from the spool`);
    held = new Map();
  };

  return {
    note(reason, records) {
      held.set(reason, (held.get(reason) ?? 0) + records);
      const wait = lastLog + intervalMs - Date.now();
      if (wait <= 0) emit();
      else timer ??= setTimeout(emit, wait).unref();
    },
    close() {
      clearTimeout(timer);
      emit();
    },
  };
}
