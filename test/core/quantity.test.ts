import fc from 'fast-check';
import * as fs from 'fs';
import * as YAML from 'yaml';
import { QUANTITY_ERRORS, QUANTITY_PATTERN, UNSIGNED_QUANTITY_PATTERN, Quantity, QuantityError, checkResources, parseQuantity, parseQuantityValue, containerResourceProblems } from '../../src/core/quantity';
import schema from '../../src/config/modelcar.schema.json';
import { sharedPath } from '../support/shared';

const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The canonical string and format apimachinery gives a parsed quantity. */
function canon(s: string): [string, string] {
  const q = parseQuantity(s);
  return [q.toString(), q.format];
}

function parseError(s: string): string {
  try {
    parseQuantity(s);
  } catch (e) {
    expect(e).toBeInstanceOf(QuantityError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(s)} parsed`);
}

describe('parseQuantity: the canonical form, as resource.Quantity.String() prints it', () => {
  test.each([
    // decimal SI: the largest suffix that keeps every digit
    ['0', '0', 'DecimalSI'],
    ['1', '1', 'DecimalSI'],
    ['1000', '1k', 'DecimalSI'],
    ['1500', '1500', 'DecimalSI'],
    ['1.5', '1500m', 'DecimalSI'],
    ['0.5', '500m', 'DecimalSI'],
    ['.5', '500m', 'DecimalSI'],
    ['100m', '100m', 'DecimalSI'],
    ['1000m', '1', 'DecimalSI'],
    ['0.001', '1m', 'DecimalSI'],
    ['0.0001', '100u', 'DecimalSI'],
    ['1n', '1n', 'DecimalSI'],
    ['2k', '2k', 'DecimalSI'],
    ['2000k', '2M', 'DecimalSI'],
    ['1.5G', '1500M', 'DecimalSI'],
    ['7T', '7T', 'DecimalSI'],
    ['3P', '3P', 'DecimalSI'],
    ['4E', '4E', 'DecimalSI'],
    ['-1.5', '-1500m', 'DecimalSI'],
    ['123456789012345678901234567890', '123456789012345678901234567890', 'DecimalSI'],
    // binary SI: kept binary while it is a whole number of at least 1024
    ['1Ki', '1Ki', 'BinarySI'],
    ['1024Ki', '1Mi', 'BinarySI'],
    ['1536Mi', '1536Mi', 'BinarySI'],
    ['1.5Gi', '1536Mi', 'BinarySI'],
    ['0.5Gi', '512Mi', 'BinarySI'],
    ['1.5Ki', '1536', 'BinarySI'],
    ['0.5Ki', '512', 'BinarySI'],
    ['1023', '1023', 'DecimalSI'],
    ['4Gi', '4Gi', 'BinarySI'],
    ['1Ei', '1Ei', 'BinarySI'],
    ['0.001Ki', '1024m', 'BinarySI'], // printed in decimal below 1024, still binary
    // decimal exponent: stays an exponent, a multiple of 3
    ['1e3', '1e3', 'DecimalExponent'],
    ['1e4', '10e3', 'DecimalExponent'],
    ['1.5e3', '1500', 'DecimalExponent'],
    ['10e-1', '1', 'DecimalExponent'],
    ['1e-3', '1e-3', 'DecimalExponent'],
  ])('%s prints as %s (%s)', (input, printed, format) => {
    expect(canon(input)).toStrictEqual([printed, format]);
  });

  test('a value finer than nano rounds away from zero, to nano', () => {
    expect(canon('0.1n')).toStrictEqual(['1n', 'DecimalSI']);
    expect(canon('1.0000000001')).toStrictEqual(['1000000001n', 'DecimalSI']);
    expect(canon('-0.1n')).toStrictEqual(['-1n', 'DecimalSI']);
    expect(canon('1e-10')).toStrictEqual(['1e-9', 'DecimalExponent']);
    expect(canon('1.0000000001Ki')).toStrictEqual(['1024000000103n', 'BinarySI']);
  });

  test('a binary quantity is capped at 2^63-1; a decimal one is not', () => {
    expect(canon('8Ei')).toStrictEqual(['9223372036854775807', 'BinarySI']);
    expect(canon('-8Ei')).toStrictEqual(['-9223372036854775807', 'BinarySI']);
    expect(canon('10E').join()).toBe('10E,DecimalSI');
    expect(parseQuantity('10E').cmp(parseQuantity('8Ei'))).toBe(1);
  });

  test('input that Go keeps as written because it looks canonical is printed as written', () => {
    // ParseQuantity's fast path caches the input string when it judges it canonical; String() returns it.
    expect(canon('+1')).toStrictEqual(['+1', 'DecimalSI']);
    expect(canon('01')).toStrictEqual(['01', 'DecimalSI']);
    expect(canon('1.')).toStrictEqual(['1.', 'DecimalSI']);
    expect(canon('1E3')).toStrictEqual(['1E3', 'DecimalExponent']);
    expect(canon('1e+3')).toStrictEqual(['1e+3', 'DecimalExponent']);
    // ... but not when it ends in 000 or starts with 0 after the sign
    expect(canon('1000')).toStrictEqual(['1k', 'DecimalSI']);
    expect(canon('-0')).toStrictEqual(['0', 'DecimalSI']);
  });

  test("the scanner's edges: a number without digits is zero where Go's fast path takes it", () => {
    for (const s of ['-', '+', '.', '-.', 'm', 'k', 'Ki', 'Ti', 'e5', 'E', '000', '0.', '00.00']) {
      const q = parseQuantity(s);
      expect([s, q.isZero(), q.toString()]).toStrictEqual([s, true, '0']);
    }
    // ... and ErrNumeric where only the big-decimal path could read it
    for (const s of ['Pi', 'Ei', '.e-10', 'e-10']) expect([s, parseError(s)]).toStrictEqual([s, QUANTITY_ERRORS.numeric]);
  });

  test('an exponent wraps to 32 bits, as Go converts it with int32()', () => {
    expect(parseQuantity('1e4294967296').cmp(parseQuantity('1'))).toBe(0);
    expect(parseQuantity('1e4294967296').toString()).toBe('1e4294967296');
    expect(parseQuantity('1e2147483647').toString()).toBe('10e2147483646');
  });

  test('a decimal exponent above E is printed with e rather than dropped (where apimachinery v0.32 prints "1")', () => {
    expect(canon('1000E')).toStrictEqual(['1e21', 'DecimalSI']);
  });
});

describe('parseQuantity: errors, worded exactly as apimachinery words them', () => {
  test.each([
    ['', FORMAT_WRONG],
    ['abc', FORMAT_WRONG],
    ['1 Gi', FORMAT_WRONG],
    ['1Gb', FORMAT_WRONG],
    ['1.5.5', FORMAT_WRONG],
    ['1e5e5', FORMAT_WRONG],
    [' 1', FORMAT_WRONG],
    ['1x', FORMAT_WRONG],
    ['1Gii', QUANTITY_ERRORS.suffix],
    ['1ee', QUANTITY_ERRORS.suffix],
    ['1e', QUANTITY_ERRORS.suffix],
    ['1e+', QUANTITY_ERRORS.suffix],
    ['1Ki5', QUANTITY_ERRORS.suffix],
    ['1m5', QUANTITY_ERRORS.suffix],
    ['--1', QUANTITY_ERRORS.suffix],
    ['1i', QUANTITY_ERRORS.suffix],
    ['1K', QUANTITY_ERRORS.suffix],
    ['1e99999999999999999999', QUANTITY_ERRORS.suffix],
  ])('%j: %s', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  test('the messages are the ones the API server prints', () => {
    expect(QUANTITY_ERRORS).toStrictEqual({ formatWrong: FORMAT_WRONG, numeric: 'unable to parse numeric part of quantity', suffix: "unable to parse quantity's suffix" });
  });

  test('numbers from YAML are read like the API server reads JSON numbers; strings are trimmed', () => {
    expect(parseQuantityValue(2).toString()).toBe('2');
    expect(parseQuantityValue(0.5).toString()).toBe('500m');
    expect(parseQuantityValue(1e21).toString()).toBe('1e+21'); // JavaScript writes the number as 1e+21, as Go's JSON does
    expect(parseQuantityValue(' 1Gi ').toString()).toBe('1Gi');
    expect(() => parseQuantityValue(NaN)).toThrow(FORMAT_WRONG);
  });
});

describe('Quantity.cmp: exact comparison across suffixes and formats', () => {
  test.each([
    ['1', '1000m', 0],
    ['1Ki', '1024', 0],
    ['1k', '1Ki', -1],
    ['1Gi', '1G', 1],
    ['1e3', '1k', 0],
    ['0.5', '500m', 0],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['1n', '0', 1],
    ['1e2147483647', '1E', 1],
    ['1e-9', '1n', 0],
    ['123456789012345678901234567890', '123456789012345678901234567891', -1],
  ])('%s vs %s: %d', (a, b, want) => {
    expect(parseQuantity(a).cmp(parseQuantity(b))).toBe(want);
    expect(parseQuantity(b).cmp(parseQuantity(a))).toBe(-want || 0);
  });

  test('GIVEN random decimal quantities THEN cmp agrees with exact rational comparison', () => {
    const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -9, max: 12 }));
    fc.assert(
      fc.property(decimal, decimal, ([ua, ea], [ub, eb]) => {
        const text = (u: bigint, e: number) => `${u}e${e}`;
        const a = parseQuantity(text(ua, ea));
        const b = parseQuantity(text(ub, eb));
        // Compare u1*10^e1 with u2*10^e2 by scaling both to the smaller exponent.
        const m = Math.min(ea, eb);
        const x = ua * 10n ** BigInt(ea - m);
        const y = ub * 10n ** BigInt(eb - m);
        expect(a.cmp(b)).toBe(x === y ? 0 : x < y ? -1 : 1);
      }),
      { numRuns: 2000 },
    );
  });

  test('GIVEN any printed quantity THEN it parses back to the same value (String() is lossless)', () => {
    const input = fc.tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'e3', 'e-6'));
    fc.assert(
      fc.property(input, ([n, suffix]) => {
        const q = parseQuantity(`${n}${suffix}`);
        expect(parseQuantity(q.toString()).cmp(q)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  test('GIVEN any string THEN parseQuantity returns a Quantity or throws a QuantityError, nothing else', () => {
    const chars = fc.constantFrom(...'0123456789.+-eEinumkKMGTP ax'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), (s) => {
        try {
          expect(parseQuantity(s)).toBeInstanceOf(Quantity);
        } catch (e) {
          expect(e).toBeInstanceOf(QuantityError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  test('value and milliValue round up away from zero, as ScaledValue does', () => {
    expect(parseQuantity('1500m').value()).toBe(2n);
    expect(parseQuantity('-1500m').value()).toBe(-2n);
    expect(parseQuantity('1.0005').milliValue()).toBe(1001n);
    expect(parseQuantity('1Ki').milliValue()).toBe(1024000n);
  });
});

describe('checkResources: container requests and limits, as the API server checks a pod', () => {
  test('GIVEN requests within limits THEN no problem', () => {
    expect(checkResources({ cpu: '500m', memory: '1Gi' }, { cpu: 1, memory: '2Gi' })).toStrictEqual([]);
    expect(checkResources({ cpu: '1' }, { cpu: '1000m' })).toStrictEqual([]);
    expect(checkResources({ cpu: '1' }, undefined)).toStrictEqual([]);
    expect(checkResources(undefined, { memory: '1Gi', 'nvidia.com/gpu': 1 })).toStrictEqual([]);
    expect(checkResources({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': 1 })).toStrictEqual([]);
  });

  test('GIVEN a request above its limit THEN the message names the limit in canonical form', () => {
    expect(checkResources({ cpu: '2', memory: '1Gi' }, { cpu: 1, memory: '1000Mi' })).toStrictEqual([
      'requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'requests[memory]: Invalid value: "1Gi": must be less than or equal to memory limit of 1000Mi',
    ]);
    expect(checkResources({ memory: '1.5Gi' }, { memory: '1Gi' })).toStrictEqual(['requests[memory]: Invalid value: "1536Mi": must be less than or equal to memory limit of 1Gi']);
    expect(checkResources({ cpu: 1.5 }, { cpu: '1' })).toStrictEqual(['requests[cpu]: Invalid value: "1500m": must be less than or equal to cpu limit of 1']);
  });

  test('GIVEN an extended resource (GPUs) THEN requests must equal limits, limits must be set, and values are whole', () => {
    expect(checkResources({ 'nvidia.com/gpu': 1 }, { 'nvidia.com/gpu': 2 })).toStrictEqual([
      'requests[nvidia.com/gpu]: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2',
    ]);
    expect(checkResources({ 'nvidia.com/gpu': 1 }, {})).toStrictEqual(['limits: Required value: Limit must be set for non overcommitable resources']);
    expect(checkResources(undefined, { 'nvidia.com/gpu': '500m' })).toStrictEqual(['limits[nvidia.com/gpu]: Invalid value: "500m": must be an integer']);
  });

  test('GIVEN bad quantities, negative values and unknown resource names THEN each is reported, in a stable order', () => {
    // A prefix of 252 characters is a valid label key, but not with "requests." in front (quota's name for it).
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}/gpu`;
    expect(checkResources({ cpu: 'two', gpu: 1, memory: '-1Gi' }, { cpu: '1 core', [long]: 1 })).toStrictEqual([
      `limits[${long}]: Invalid value: "${long}": doesn't follow extended resource name standard`,
      `limits[cpu]: Invalid value: "1 core": ${FORMAT_WRONG}`,
      `requests[cpu]: Invalid value: "two": ${FORMAT_WRONG}`,
      'requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ]);
    expect(checkResources({ pods: 1 }, undefined)).toStrictEqual(['requests[pods]: Invalid value: "pods": must be a standard resource for containers']);
  });

  test('GIVEN hugepages THEN they need cpu or memory, whole pages, and requests equal to limits', () => {
    expect(checkResources(undefined, { 'hugepages-2Mi': '3Mi' })).toStrictEqual([
      'limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      'Forbidden: HugePages require cpu or memory',
    ]);
    expect(checkResources({ 'hugepages-2Mi': '2Mi', memory: '1Gi' }, { 'hugepages-2Mi': '4Mi', memory: '1Gi' })).toStrictEqual([
      'requests[hugepages-2Mi]: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi',
    ]);
  });

  test('containerResourceProblems gives each problem with the key it concerns', () => {
    expect(containerResourceProblems({ cpu: '2' }, { cpu: '1' })).toStrictEqual([{ field: ['requests', 'cpu'], message: 'Invalid value: "2": must be less than or equal to cpu limit of 1' }]);
  });
});

describe('the quantity pattern, defined once', () => {
  test('GIVEN the quantities users write THEN the unsigned pattern takes them', () => {
    const unsigned = new RegExp(UNSIGNED_QUANTITY_PATTERN);
    expect(['1', '500m', '0.5', '.5', '8Gi', '512Mi', '1e3', '2k', '1.5G'].filter((q) => !unsigned.test(q))).toStrictEqual([]);
    expect(['-1', '+1', '8GB', '1 core', ''].filter((q) => unsigned.test(q))).toStrictEqual([]);
  });

  test('GIVEN the KServe CRDs (v0.15.2, ../shared) THEN their quantity pattern is QUANTITY_PATTERN, which output validation recognizes', () => {
    const crd = YAML.parse(fs.readFileSync(sharedPath('kserve', 'crds', 'serving.kserve.io_servingruntimes.yaml'), 'utf8'));
    const resources = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.containers.items.properties.resources.properties;
    expect(resources.limits.additionalProperties.pattern).toBe(QUANTITY_PATTERN);
    expect(resources.requests.additionalProperties.pattern).toBe(QUANTITY_PATTERN);
  });

  test('GIVEN the config schema THEN it checks quantities with the unsigned pattern', () => {
    expect(schema.definitions.QuantityValue.pattern).toBe(UNSIGNED_QUANTITY_PATTERN);
  });

  test('GIVEN the edges THEN the pattern and the parser differ as documented, both ways', () => {
    const pattern = new RegExp(QUANTITY_PATTERN);
    expect(['-', '.'].map((q) => [pattern.test(q), parseQuantity(q).toString()])).toStrictEqual([
      [false, '0'],
      [false, '0'],
    ]);
    expect(['1e1.5', '0E.0'].map((q) => pattern.test(q))).toStrictEqual([true, true]);
    expect(() => parseQuantity('1e1.5')).toThrow(QuantityError);
    expect(() => parseQuantity('0E.0')).toThrow(QuantityError);
  });
});
