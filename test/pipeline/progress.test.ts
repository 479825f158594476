import { Progress, formatBytes, formatDuration, progressMode, renderProgressLine } from '../../src/pipeline/progress';

describe('progress', () => {
  test('GIVEN sizes and durations THEN IEC units and h/m/s', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 ** 2, 2.5 * 1024 ** 3].map(formatBytes)).toStrictEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '10.0 MiB', '2.5 GiB']);
    expect([0, 42.4, 185, 3720].map(formatDuration)).toStrictEqual(['0s', '42s', '3m05s', '1h02m']);
  });

  test('GIVEN a known total THEN the line has percent, bar, bytes, rate and ETA; without a total, bytes and rate', () => {
    const GiB = 1024 ** 3;
    expect(renderProgressLine('  models/1/model.bin', GiB, 4 * GiB, 10_000, 20)).toBe('  models/1/model.bin  25% [#####...............] 1.0 GiB/4.0 GiB  102.4 MiB/s  ETA 30s');
    expect(renderProgressLine('  x', 5 * 1024 ** 2, undefined, 2000)).toBe('  x  5.0 MiB  2.5 MiB/s');
    expect(renderProgressLine('  x', 0, 100, 0, 4)).toBe('  x   0% [....] 0 B/100 B  0 B/s  ETA ?');
  });

  test('GIVEN a terminal THEN the bar is redrawn in place at most every 100 ms and cleared before a line', () => {
    let now = 0;
    let text = '';
    const progress = new Progress({ write: (t) => (text += t), isTTY: true }, 'bar', () => now);
    progress.start('  f', 1000);
    now = 50;
    progress.update(100); // too soon: not drawn
    now = 200;
    progress.update(500);
    now = 250;
    progress.update(600); // too soon again
    progress.line('  f: done');
    expect(text).toBe('\r\x1b[K  f  50% [############............] 500 B/1000 B  2.4 KiB/s  ETA 0s\r\x1b[K  f: done\n');
  });

  test('GIVEN a log (not a terminal, or CI) THEN plain lines, at most one every 30 s', () => {
    expect(progressMode({ write: () => undefined, isTTY: true }, {})).toBe('bar');
    expect(progressMode({ write: () => undefined, isTTY: true }, { CI: 'true' })).toBe('plain');
    expect(progressMode({ write: () => undefined, isTTY: false }, {})).toBe('plain');
    let now = 0;
    let text = '';
    const progress = new Progress({ write: (t) => (text += t) }, 'plain', () => now);
    progress.start('  f', undefined);
    now = 10_000;
    progress.update(1);
    now = 31_000;
    progress.update(31 * 1024);
    progress.line('  f: done');
    expect(text).toBe('  f  31.0 KiB  1.0 KiB/s\n  f: done\n');
  });
});
