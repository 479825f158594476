/**
 * Kubernetes resource quantities (`500m`, `2`, `4Gi`, `1e3`), parsed, compared and printed exactly as
 * k8s.io/apimachinery v0.32.3 pkg/api/resource does it (quantity.go, amount.go, math.go, suffix.go), the
 * version KServe v0.15.2 builds with, and checked as container resources the way the API server checks a
 * pod's (k8s.io/kubernetes pkg/apis/core/validation ValidateResourceRequirements).
 *
 * The grammar (quantity.go):
 * ```
 * <quantity>        ::= <signedNumber><suffix>
 * <signedNumber>    ::= <number> | <sign><number>          <sign> ::= "+" | "-"
 * <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 * <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 * <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 * <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
 * ```
 * Like Go's `ParseQuantity`, the scanner is more lenient than the grammar at the edges, and this module
 * keeps those edges: `"-"`, `"."` and `"m"` parse as zero, `"1."` is 1, and an exponent suffix wraps to
 * 32 bits. Values keep full precision down to nano (1e-9); a finer non-zero value rounds away from zero
 * (`0.1n` is `1n`), and a binary-suffixed value is capped at 2^63-1 (`8Ei` is `9223372036854775807`).
 *
 * Two deliberate differences, both where Go would give a wrong or no answer rather than a different one:
 * values are kept as exact big integers, so nothing overflows (Go's int64 accessors can), and
 * {@link Quantity.toString} writes a decimal exponent above `E` (10^18) as `e21` where apimachinery v0.32
 * drops the exponent (it prints `1000E` as `1`).
 */

import { isQualifiedName } from './names';

/** How a quantity was written, and so how it is printed again. */
export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

/** splitREString of quantity.go, quoted in the error for a malformed quantity. */
export const QUANTITY_SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/**
 * The grammar above as one regular expression: the `pattern` Kubernetes' OpenAPI gives every quantity (and so the
 * KServe CRDs give `resources`), sign included. It differs from the parser at the edges, both ways: `"-"` and `"."`
 * parse as zero but do not match, `"1e1.5"` matches but does not parse (an exponent is a whole number).
 */
export const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** {@link QUANTITY_PATTERN} without the sign: an amount of a resource, as the config schema checks it. */
export const UNSIGNED_QUANTITY_PATTERN = QUANTITY_PATTERN.replace('^(\\+|-)?', '^');

/** The three errors ParseQuantity returns, worded as apimachinery words them. */
export const QUANTITY_ERRORS = {
  /** ErrFormatWrong */
  formatWrong: `quantities must match the regular expression '${QUANTITY_SPLIT_RE}'`,
  /** ErrNumeric */
  numeric: 'unable to parse numeric part of quantity',
  /** ErrSuffix */
  suffix: "unable to parse quantity's suffix",
} as const;

/** Thrown by {@link parseQuantity}; the message is exactly apimachinery's. */
export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const DECIMAL_SUFFIX_BY_EXPONENT: ReadonlyMap<number, string> = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** maxInt64Factors of math.go: the number of decimal digits an int64 always holds. */
const MAX_INT64_FACTORS = 18;
/** maxAllowed of math.go: the cap of a binarySI quantity. */
const MAX_ALLOWED = (1n << 63n) - 1n;
const NANO_SCALE = 9;

const int32 = (n: number): number => n | 0;

/**
 * A parsed quantity: the exact value `unscaled * 10^-scale` (the representation of Go's inf.Dec) and the
 * format it prints in. Immutable.
 */
export class Quantity {
  /** The value's digits, with its sign. */
  public readonly unscaled: bigint;
  /** The number of decimal places: the value is `unscaled * 10^-scale`. */
  public readonly scale: number;
  public readonly format: QuantityFormat;
  /** The text Go's ParseQuantity keeps when it judges it canonical already; `toString` returns it. */
  private readonly text?: string;

  constructor(unscaled: bigint, scale: number, format: QuantityFormat, text?: string) {
    this.unscaled = unscaled;
    this.scale = unscaled === 0n ? 0 : scale + 0; // + 0 turns -0 into 0
    this.format = format;
    this.text = text;
  }

  /** -1, 0 or 1, like Go's `Sign`. */
  public sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  public isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** -1, 0 or 1 as this quantity is less than, equal to or greater than `other` (Go's `Cmp`). */
  public cmp(other: Quantity): -1 | 0 | 1 {
    return compareDecimals(this.unscaled, this.scale, other.unscaled, other.scale);
  }

  /** `ceil(q * 10^-scale)`, rounding away from zero (Go's `ScaledValue`), exact. */
  public scaledValue(scale: number): bigint {
    return roundAwayFromZero(this.unscaled, this.scale + scale);
  }

  /** `ceil(q)` away from zero (Go's `Value`), exact. */
  public value(): bigint {
    return this.scaledValue(0);
  }

  /** `ceil(q * 1000)` away from zero (Go's `MilliValue`), exact. */
  public milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /**
   * The canonical form (Go's `String`): no fractional digits, the largest exponent that loses no
   * precision, the suffix kind it was written with (`1.5` is `1500m`, `1.5Gi` is `1536Mi`, `0.5Gi` is
   * `512Mi`, `1e3` is `1e3`, `1000` is `1k`).
   */
  public toString(): string {
    if (this.text !== undefined) return this.text;
    if (this.isZero()) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = this.cmp(SMALL_BINARY) < 0 && this.cmp(SMALL_BINARY_NEG) > 0;
      if (small) {
        format = 'DecimalSI';
      } else {
        const rounded = this.scale <= 0 ? undefined : roundAwayFromZero(this.unscaled, this.scale);
        const exact = rounded === undefined || compareDecimals(rounded, 0, this.unscaled, this.scale) === 0;
        if (!exact) {
          format = 'DecimalSI';
        } else {
          let n = rounded ?? this.unscaled * 10n ** BigInt(-this.scale);
          const negative = n < 0n;
          if (negative) n = -n;
          let power = 0;
          while (n >= 1024n && n % 1024n === 0n) {
            n /= 1024n;
            power++;
          }
          return `${negative ? '-' : ''}${n}${BINARY_SUFFIX_BY_POWER[power]}`;
        }
      }
    }
    let mantissa = this.unscaled;
    let exponent = -this.scale;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    if (format === 'DecimalSI') {
      const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
      if (suffix !== undefined) return `${mantissa}${suffix}`;
    }
    return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  }
}

const SMALL_BINARY = new Quantity(1024n, 0, 'DecimalSI');
const SMALL_BINARY_NEG = new Quantity(-1024n, 0, 'DecimalSI');

/** Number of decimal digits of |n|; 0 for 0. */
function digitCount(n: bigint): number {
  if (n === 0n) return 0;
  return (n < 0n ? -n : n).toString().length;
}

/** Compares `a * 10^-sa` with `b * 10^-sb` without building powers larger than the digits involved. */
function compareDecimals(a: bigint, sa: number, b: bigint, sb: number): -1 | 0 | 1 {
  const signA = a === 0n ? 0 : a < 0n ? -1 : 1;
  const signB = b === 0n ? 0 : b < 0n ? -1 : 1;
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  // Same sign: compare magnitudes by the position of the leading digit first.
  const leadA = digitCount(a) - sa;
  const leadB = digitCount(b) - sb;
  let magnitude: -1 | 0 | 1;
  if (leadA !== leadB) {
    magnitude = leadA < leadB ? -1 : 1;
  } else {
    // Equal leading positions: the scales differ by at most the digit counts, so the powers stay small.
    const absA = a < 0n ? -a : a;
    const absB = b < 0n ? -b : b;
    const x = sa < sb ? absA * 10n ** BigInt(sb - sa) : absA;
    const y = sb < sa ? absB * 10n ** BigInt(sa - sb) : absB;
    magnitude = x === y ? 0 : x < y ? -1 : 1;
  }
  return (magnitude === 0 ? 0 : signA < 0 ? -magnitude : magnitude) as -1 | 0 | 1;
}

/** `unscaled * 10^-scale` rounded to an integer away from zero (inf.RoundUp on the magnitude). */
function roundAwayFromZero(unscaled: bigint, scale: number): bigint {
  if (scale <= 0) return unscaled * 10n ** BigInt(-scale);
  const negative = unscaled < 0n;
  const abs = negative ? -unscaled : unscaled;
  let q: bigint;
  if (digitCount(abs) <= scale) {
    q = abs === 0n ? 0n : 1n;
  } else {
    const divisor = 10n ** BigInt(scale);
    q = abs / divisor + (abs % divisor === 0n ? 0n : 1n);
  }
  return negative ? -q : q;
}

/** Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_ALLOWED || n < -MAX_ALLOWED - 1n ? undefined : n;
}

/** quantitySuffixer.interpret: base, exponent and format of a suffix, or undefined. */
function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e')) {
    const parsed = parseInt64(suffix.slice(1));
    if (parsed === undefined) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const SUFFIX_CHARS = 'eEinumkKMGTP';

/** parseQuantityString of quantity.go, step by step, so that its edge cases stay the same. */
function scan(str: string): { positive: boolean; value: string; num: string; denom: string; suffix: string } {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  // strip leading zeros; a string of only zeros is zero
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[i] === '0') pos++;
    else break;
  }
  let num: string;
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  num = str.slice(pos, i);
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j])) j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = j;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  let k = pos;
  while (k < end && SUFFIX_CHARS.includes(str[k]!)) k++;
  if (k >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = k;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  let m = pos;
  while (m < end && isDigit(str[m])) m++;
  if (m >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityError(QUANTITY_ERRORS.formatWrong);
}

/**
 * Parses a quantity as Go's `resource.ParseQuantity` does (and as the API server does when it decodes
 * one, after trimming surrounding whitespace only when given `{ trim: true }`).
 *
 * @throws QuantityError with apimachinery's exact message.
 */
export function parseQuantity(str: string): Quantity {
  let quantity = parsedQuantities.get(str);
  if (quantity === undefined) {
    quantity = parseQuantityText(str);
    if (parsedQuantities.size >= MAX_REMEMBERED) parsedQuantities.clear();
    parsedQuantities.set(str, quantity);
  }
  return quantity;
}

/**
 * Quantities parsed so far (they are immutable), by their text: the same few (`1`, `4Gi`) come back in the
 * resources of every model, checked by the constructs and again in the output.
 */
const parsedQuantities = new Map<string, Quantity>();
const MAX_REMEMBERED = 10_000;

function parseQuantityText(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(QUANTITY_ERRORS.formatWrong);
  if (str === '0') return new Quantity(0n, 0, 'DecimalSI', str);
  const { positive, value, num, denom, suffix } = scan(str);
  const interpreted = interpretSuffix(suffix);
  if (!interpreted) throw new QuantityError(QUANTITY_ERRORS.suffix);
  const { base, exponent } = interpreted;
  let format = interpreted.format;

  // The int64 fast path of ParseQuantity, taken only when these hold. Its result equals the exact value
  // computed below, but whether it is taken decides if a number without digits ("m", ".") is zero or
  // ErrNumeric, so the conditions are kept.
  let precision: number;
  let scale = 0;
  if (base === 10) {
    scale = exponent;
    precision = MAX_INT64_FACTORS - (num.length + denom.length);
  } else {
    precision = exponent >= 0 && denom.length === 0 ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 : -1;
  }
  const fastPath = precision >= 0 && int32(scale - denom.length) >= -NANO_SCALE;
  const hasDigits = /[0-9]/.test(value);
  if (!hasDigits) {
    if (fastPath) return new Quantity(0n, 0, format);
    throw new QuantityError(QUANTITY_ERRORS.numeric);
  }

  // The value: digits of num.denom as an integer, with its decimal places, then the suffix applied.
  const shifted = num + denom;
  let unscaled = BigInt(shifted);
  if (!positive) unscaled = -unscaled;
  if (fastPath) {
    // Go keeps the input as the printed form when it looks canonical (so "+1" prints as "+1").
    const result = base === 10 ? unscaled : unscaled * (1n << BigInt(exponent));
    if (result <= MAX_ALLOWED && result >= -MAX_ALLOWED - 1n) {
      const fastScale = int32(scale - denom.length);
      const canonical =
        base === 2
          ? exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n
          : fastScale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
      return new Quantity(result, -fastScale, format, canonical ? str : undefined);
    }
  }
  let decimalPlaces = denom.length;
  if (base === 10) {
    decimalPlaces = int32(decimalPlaces + int32(-exponent));
  } else {
    unscaled *= 1n << BigInt(exponent);
  }
  // Round a non-zero value finer than nano away from zero, to nano.
  if (unscaled !== 0n && decimalPlaces > NANO_SCALE) {
    unscaled = roundAwayFromZero(unscaled, decimalPlaces - NANO_SCALE);
    decimalPlaces = NANO_SCALE;
  }
  if (format === 'BinarySI') {
    const abs = new Quantity(unscaled < 0n ? -unscaled : unscaled, decimalPlaces, format);
    if (abs.cmp(new Quantity(MAX_ALLOWED, 0, format)) > 0) {
      unscaled = unscaled < 0n ? -MAX_ALLOWED : MAX_ALLOWED;
      decimalPlaces = 0;
    } else if (abs.cmp(new Quantity(1n, 0, format)) < 0 && !abs.isZero()) {
      format = 'DecimalSI';
    }
  }
  return new Quantity(unscaled, decimalPlaces, format);
}

/**
 * A quantity as it appears in YAML or JSON: a string, or a number (the API server accepts `cpu: 2` and
 * `cpu: 0.5`). Surrounding whitespace is trimmed, as Quantity.UnmarshalJSON does.
 */
export function parseQuantityValue(value: string | number): Quantity {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new QuantityError(QUANTITY_ERRORS.formatWrong);
    return parseQuantity(String(value));
  }
  return parseQuantity(value.trim());
}

// ---- container resources (pkg/apis/core/validation ValidateResourceRequirements and its helpers)

/** A map of resource name to quantity, as `resources.requests` / `resources.limits`. */
export type ResourceQuantities = Readonly<Record<string, string | number>>;

/** One problem with container resources: the key it concerns, and the API server's message. */
export interface ContainerResourceProblem {
  /** `['requests', 'cpu']`, `['limits', 'nvidia.com/gpu']`, or `['limits']` for a missing limit. */
  readonly field: readonly string[];
  /** The message, as `kubectl apply` prints it after the field: `Invalid value: "2": must be ...`. */
  readonly message: string;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** core/helper standardResources (IsStandardResourceName), the names without a "/" that are known. */
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'quotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set(['pods', 'quotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const HUGE_PAGES_PREFIX = 'hugepages-';

const isHugePages = (name: string): boolean => name.startsWith(HUGE_PAGES_PREFIX);
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
/** IsOvercommitAllowed: requests may be below limits only for native resources other than hugepages. */
const isOvercommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function isExtended(name: string, qualified: (s: string) => string[]): boolean {
  if (isNative(name) || name.startsWith('requests.')) return false;
  return qualified(`requests.${name}`).length === 0;
}

const invalid = (value: string, detail: string): string => `Invalid value: ${JSON.stringify(value)}: ${detail}`;

/**
 * Checks a container's `resources` the way the API server checks a pod's: resource names, quantity
 * syntax, no negative values, whole numbers for extended resources such as `nvidia.com/gpu`,
 * requests <= limits, and requests == limits for resources that cannot be overcommitted (extended
 * resources and hugepages), which also need a limit.
 *
 * Problems come in a stable order (limits, then requests, each by resource name), each with the key it
 * concerns, so a caller can point at the line.
 */
export function containerResourceProblems(requests: ResourceQuantities | undefined, limits: ResourceQuantities | undefined): ContainerResourceProblem[] {
  const qualifiedName = isQualifiedName;
  const problems: ContainerResourceProblem[] = [];
  const parsedLimits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  const check = (kind: 'requests' | 'limits', name: string, raw: string | number): Quantity | undefined => {
    const field = [kind, name];
    for (const message of containerResourceName(name, qualifiedName)) problems.push({ field, message });
    let q: Quantity;
    try {
      q = parseQuantityValue(raw);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      problems.push({ field, message: invalid(String(raw), e.message) });
      return undefined;
    }
    if (q.sign() < 0) problems.push({ field, message: invalid(q.toString(), 'must be greater than or equal to 0') });
    if ((INTEGER_RESOURCES.has(name) || isExtended(name, qualifiedName)) && q.milliValue() % 1000n !== 0n) {
      problems.push({ field, message: invalid(q.toString(), 'must be an integer') });
    }
    if (isHugePages(name)) {
      hugePages = true;
      if (!hugePageDivisible(name, q)) problems.push({ field, message: invalid(q.toString(), `${q.toString()} is not positive integer multiple of ${name}`) });
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    return q;
  };
  for (const name of Object.keys(limits ?? {}).sort()) {
    const q = check('limits', name, limits![name]!);
    if (q) parsedLimits.set(name, q);
  }
  for (const name of Object.keys(requests ?? {}).sort()) {
    const q = check('requests', name, requests![name]!);
    if (!q) continue;
    const limit = parsedLimits.get(name);
    const hasLimit = limits !== undefined && Object.prototype.hasOwnProperty.call(limits, name);
    if (limit) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        problems.push({ field: ['requests', name], message: invalid(q.toString(), `must be equal to ${name} limit of ${limit.toString()}`) });
      } else if (q.cmp(limit) > 0) {
        problems.push({ field: ['requests', name], message: invalid(q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`) });
      }
    } else if (!hasLimit && !isOvercommitAllowed(name)) {
      problems.push({ field: ['limits'], message: 'Required value: Limit must be set for non overcommitable resources' });
    }
  }
  if (!cpuOrMemory && hugePages) problems.push({ field: [], message: 'Forbidden: HugePages require cpu or memory' });
  return problems;
}

function containerResourceName(name: string, qualifiedName: (s: string) => string[]): string[] {
  const errs = qualifiedName(name).map((m) => invalid(name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name) && !name.startsWith('requests.hugepages-')) {
      errs.push(invalid(name, 'must be a standard resource type or fully qualified'));
    }
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name, qualifiedName)) {
    errs.push(invalid(name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** IsHugePageResourceValueDivisible: the value is a whole multiple of the page size in the name. */
function hugePageDivisible(name: string, q: Quantity): boolean {
  let page: Quantity;
  try {
    page = parseQuantity(name.slice(HUGE_PAGES_PREFIX.length));
  } catch {
    return false;
  }
  if (page.sign() <= 0 || page.milliValue() % 1000n !== 0n) return false;
  return q.value() % page.value() === 0n;
}

/**
 * Checks `resources.requests` and `resources.limits` of one container (see {@link containerResourceProblems}) and
 * returns each problem as one line, `requests[cpu]: Invalid value: "2": must be less than or equal to cpu
 * limit of 1`, in a stable order; empty when all is well.
 */
export function checkResources(requests: ResourceQuantities | undefined, limits: ResourceQuantities | undefined): string[] {
  return containerResourceProblems(requests, limits).map((p) => {
    const where = p.field.length === 0 ? '' : p.field.length === 1 ? p.field[0]! : `${p.field[0]}[${p.field[1]}]`;
    return where ? `${where}: ${p.message}` : p.message;
  });
}
