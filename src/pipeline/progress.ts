/**
 * Progress of long transfers: a bar with bytes/s and ETA redrawn in place on a terminal, plain lines elsewhere
 * (CI logs, pipes), where redrawing would fill the log with carriage returns.
 */
import { printable } from '../core/errors';

/** Where progress and result lines go. */
export interface ProgressOutput {
  /** Writes text as is. */
  write(text: string): void;
  /** True when it is a terminal that can redraw a line in place. */
  readonly isTTY?: boolean;
}

/** Sizes in IEC units, e.g. `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A duration as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One progress line: `label  45% [#########...........] 1.2 GiB/2.6 GiB  85.3 MiB/s  ETA 17s`; without a known
 * total, the bytes and the rate only.
 */
export function renderProgressLine(label: string, done: number, total: number | undefined, elapsedMs: number, barWidth = 24): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const speed = `${formatBytes(Math.round(rate))}/s`;
  if (total === undefined || total <= 0) return `${label}  ${formatBytes(done)}  ${speed}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * barWidth);
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label} ${percent} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${formatBytes(done)}/${formatBytes(total)}  ${speed}  ETA ${eta}`;
}

/** How {@link Progress} decides between a bar and plain lines. */
export type ProgressMode = 'bar' | 'plain';

/** The mode for an output: a bar on a terminal, plain lines when not a terminal or when `CI` is set. */
export function progressMode(output: ProgressOutput, env: NodeJS.ProcessEnv = process.env): ProgressMode {
  return output.isTTY && !env.CI && env.TERM !== 'dumb' ? 'bar' : 'plain';
}

/**
 * Reports lines, and the progress of one transfer at a time. On a terminal the bar is redrawn at most every
 * `redrawMs` and cleared before a line is written; in plain mode a progress line is written at most every
 * `plainEveryMs` (long downloads in CI logs show they are alive).
 */
export class Progress {
  private label = '';
  private total: number | undefined;
  private started = 0;
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly output: ProgressOutput,
    private readonly mode: ProgressMode = progressMode(output),
    private readonly now: () => number = Date.now,
    private readonly redrawMs = 100,
    private readonly plainEveryMs = 30_000,
  ) {}

  /** Writes a line (clearing the bar first), its control characters escaped. */
  public line(text: string): void {
    this.clear();
    this.output.write(`${printable(text)}\n`);
  }

  /** Starts reporting a transfer of `total` bytes (undefined: unknown). */
  public start(label: string, total: number | undefined): void {
    this.label = label;
    this.total = total;
    this.started = this.now();
    this.lastDraw = this.started;
  }

  /** Reports that `done` bytes of the current transfer are through. */
  public update(done: number): void {
    const now = this.now();
    const every = this.mode === 'bar' ? this.redrawMs : this.plainEveryMs;
    if (now - this.lastDraw < every) return;
    this.lastDraw = now;
    const text = renderProgressLine(this.label, done, this.total, now - this.started);
    if (this.mode === 'bar') {
      this.output.write(`\r\x1b[K${text}`);
      this.shown = true;
    } else {
      this.output.write(`${text}\n`);
    }
  }

  /** Milliseconds since {@link start}. */
  public elapsedMs(): number {
    return this.now() - this.started;
  }

  /** Removes the bar from the terminal, if one is shown. */
  public clear(): void {
    if (this.shown) {
      this.output.write('\r\x1b[K');
      this.shown = false;
    }
  }
}
