// Reloads the config when its file changes or the process gets SIGHUP. The new file is validated first; a
// valid one is handed to onConfig, an invalid one to onError while the old one stays in force.
// The directory is watched (not the file) so that editors that replace the file (write a temp, rename) and
// ConfigMap updates (a symlink swap) are seen; changes are debounced, and content that did not change is
// not reloaded.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseConfig } from './load.ts';
import type { LoadedConfig } from './types.ts';

export interface WatchOptions {
  onConfig(config: LoadedConfig): void;
  onError(err: unknown): void;
  /** Where SIGHUP comes from (process by default); null: no signal. */
  signals?: NodeJS.EventEmitter | null;
  debounceMs?: number;
}

export class ConfigWatcher {
  private readonly file: string;
  private readonly opts: WatchOptions;
  private readonly watcher: FSWatcher;
  private readonly signals: NodeJS.EventEmitter | null;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string;
  private readonly onHup = () => this.reload(true);

  constructor(file: string, initialText: string, opts: WatchOptions) {
    this.file = file;
    this.opts = opts;
    this.lastText = initialText;
    const name = basename(file);
    this.watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name || changed.startsWith('..')) this.schedule();
    });
    this.watcher.on('error', (err) => opts.onError(err));
    this.signals = opts.signals === undefined ? process : opts.signals;
    this.signals?.on('SIGHUP', this.onHup);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(false), this.opts.debounceMs ?? 200);
  }

  /** Re-reads the file; `force` reloads even when the text is unchanged (SIGHUP). */
  reload(force: boolean): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      this.opts.onError(err);
      return;
    }
    if (!force && text === this.lastText) return;
    this.lastText = text;
    let loaded: LoadedConfig;
    try {
      loaded = parseConfig(text, this.file);
    } catch (err) {
      this.opts.onError(err);
      return;
    }
    this.opts.onConfig(loaded);
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher.close();
    this.signals?.off('SIGHUP', this.onHup);
  }
}
