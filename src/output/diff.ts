/**
 * A small, deterministic line diff in unified format (`--- a`, `+++ b`, `@@ -l,n +l,n @@`), for
 * `synth --check` to show what would change. Myers' O(ND) algorithm on the lines between the common
 * prefix and suffix; a change too large to diff line by line is shown as a replacement.
 */

/** Options of {@link unifiedDiff}. */
export interface DiffOptions {
  /** Unchanged lines shown around each change. @default 3 */
  readonly context?: number;
  /** At most this many lines of hunks are shown; the rest are counted. @default 40 */
  readonly maxLines?: number;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

/** Above this product of changed line counts, Myers' trace would cost too much: show a replacement. */
const MAX_WORK = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script turning `a` into `b`: Myers' shortest one, deletions before insertions. */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  const tail: Op[] = a.slice(endA).map((line) => ({ kind: ' ', line }));
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  let middle: Op[];
  if ((x.length + 1) * (y.length + 1) > MAX_WORK) {
    middle = [...x.map((line) => ({ kind: '-' as const, line })), ...y.map((line) => ({ kind: '+' as const, line }))];
  } else {
    middle = myers(x, y);
  }
  return [...head, ...middle, ...tail];
}

function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max;
  let v: Int32Array = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let px: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) px = v[offset + k + 1]!;
      else px = v[offset + k - 1]! + 1;
      let py = px - k;
      while (px < n && py < m && a[px] === b[py]) {
        px++;
        py++;
      }
      v[offset + k] = px;
      if (px >= n && py >= m) break outer;
    }
  }
  // Walk back through the trace.
  const ops: Op[] = [];
  let px = n;
  let py = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    v = trace[d]!;
    const k = px - py;
    let prevK: number;
    if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (px > prevX && py > prevY) {
      ops.push({ kind: ' ', line: a[px - 1]! });
      px--;
      py--;
    }
    if (d > 0) {
      if (px === prevX) ops.push({ kind: '+', line: b[py - 1]! });
      else ops.push({ kind: '-', line: a[px - 1]! });
    }
    px = prevX;
    py = prevY;
  }
  ops.reverse();
  // Within each run of changes, list deletions before insertions, as diff(1) does.
  const out: Op[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      out.push(ops[i++]!);
      continue;
    }
    const run: Op[] = [];
    while (i < ops.length && ops[i]!.kind !== ' ') run.push(ops[i++]!);
    out.push(...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
  }
  return out;
}

/**
 * The unified diff from `before` to `after` (undefined: the file does not exist), with `---`/`+++`
 * labels; empty when the texts are equal. Long diffs are cut after `maxLines` lines of hunks.
 */
export function unifiedDiff(before: string | undefined, after: string | undefined, labels: { before: string; after: string }, options: DiffOptions = {}): string {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 40;
  if (before === after) return '';
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const ops = editScript(a, b);
  const header = [`--- ${before === undefined ? '/dev/null' : labels.before}`, `+++ ${after === undefined ? '/dev/null' : labels.after}`];
  // Group changes into hunks with `context` lines around them.
  const changed = ops.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const hunks: { from: number; to: number }[] = [];
  for (const i of changed) {
    const from = Math.max(0, i - context);
    const to = Math.min(ops.length, i + context + 1);
    const last = hunks[hunks.length - 1];
    if (last && from <= last.to) last.to = Math.max(last.to, to);
    else hunks.push({ from, to });
  }
  const body: string[] = [];
  // Line numbers of each op in a and b.
  const lineA: number[] = [];
  const lineB: number[] = [];
  let la = 1;
  let lb = 1;
  for (const o of ops) {
    lineA.push(la);
    lineB.push(lb);
    if (o.kind !== '+') la++;
    if (o.kind !== '-') lb++;
  }
  for (const h of hunks) {
    const slice = ops.slice(h.from, h.to);
    const countA = slice.filter((o) => o.kind !== '+').length;
    const countB = slice.filter((o) => o.kind !== '-').length;
    const startA = countA === 0 ? lineA[h.from]! - 1 : lineA[h.from]!;
    const startB = countB === 0 ? lineB[h.from]! - 1 : lineB[h.from]!;
    body.push(`@@ -${range(startA, countA)} +${range(startB, countB)} @@`);
    for (const o of slice) body.push(`${o.kind}${o.line}`);
  }
  if (hunks.length === 0) body.push('(the texts differ only in their final line break)');
  const shown = body.length > maxLines ? [...body.slice(0, maxLines), `... ${body.length - maxLines} more diff lines`] : body;
  return [...header, ...shown].join('\n') + '\n';
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
