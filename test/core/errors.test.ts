import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigError, PropChecker, PropError, UserError, formatDiagnostic, printable, systemErrorMessage } from '../../src/core/errors';

describe('PropError', () => {
  test('GIVEN one problem THEN the error names the construct, the prop, the value and what is allowed', () => {
    const e = new PropError({ construct: 'InferenceService', path: ['modelFormat', 'name'], value: 'onxx', message: '"onxx" is not served', allowed: ['onnx', 'openvino_ir'] });
    expect([e.message, e.construct, e.prop, e.value, e.allowed, e.name, e.exitCode]).toStrictEqual([
      'InferenceService modelFormat.name: "onxx" is not served',
      'InferenceService',
      'modelFormat.name',
      'onxx',
      ['onnx', 'openvino_ir'],
      'PropError',
      1,
    ]);
    expect([PropError.isPropError(e), UserError.isUserError(e), ConfigError.isConfigError(e)]).toStrictEqual([true, true, false]);
  });

  test('GIVEN several problems THEN one line each, in order; a key that is not a name is quoted; a helper\'s problem has no construct', () => {
    const e = new PropError([
      { construct: 'InferenceService', path: ['env', '1X'], value: '1X', message: 'bad name' },
      { construct: 'InferenceService', path: ['files', 0, 'sha256'], value: 'x', message: 'bad digest' },
      { construct: '', path: ['gpus'], value: 0.5, message: 'not a count' },
    ]);
    expect(e.message).toBe('InferenceService env["1X"]: bad name\nInferenceService files[0].sha256: bad digest\ngpus: not a count');
    expect(() => new PropError([])).toThrow('a PropError needs at least one problem');
  });
});

describe('PropChecker', () => {
  test('GIVEN problems added and a check that throws a PropError THEN all are thrown together, renamed as asked; other errors pass', () => {
    const check = new PropChecker('OciModel');
    check.add('name', '1x', 'bad name');
    const result = check.run(
      () => {
        throw new PropError({ construct: 'ModelImage', path: ['image'], value: 'X', message: 'bad image' });
      },
      (p) => ({ ...p, construct: 'OciModel' }),
    );
    expect(result).toBeUndefined();
    expect(check.run(() => 42)).toBe(42);
    expect(() => check.run(() => JSON.parse('{'))).toThrow(SyntaxError);
    expect(() => check.throwIfAny()).toThrow(PropError);
    expect(() => check.throwIfAny()).toThrow('OciModel name: bad name\nOciModel image: bad image');
    expect(() => new PropChecker('X').throwIfAny()).not.toThrow();
  });

  test('GIVEN the construct being made THEN throwing takes it, and the parts it made, out of the tree', () => {
    const chart = new Chart(new App(), 'c');
    class Refused extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new Construct(this, 'Part');
        const check = new PropChecker('Refused');
        check.add('name', 'x', 'bad');
        check.throwIfAny(this);
      }
    }
    new Construct(chart, 'Kept');
    expect(() => new Refused(chart, 'Refused')).toThrow('Refused name: bad');
    expect(chart.node.findAll().map((c) => c.node.path)).toStrictEqual(['c', 'c/Kept']);
  });
});

describe('printable: terminal control characters escaped, once, where messages are printed', () => {
  test('ESC, CR, BEL, DEL, C1 CSI and bidi overrides become escapes; tabs and (for multi-line messages) line breaks stay', () => {
    expect(printable('a\x1b[31mred\rX\x07\x7f\x9b2J\u202egnp.exe\tend\nnext')).toBe('a\\x1b[31mred\\rX\\x07\\x7f\\x9b2J\\u202egnp.exe\tend\nnext');
  });

  test('a diagnostic is one line: its line breaks are escaped too', () => {
    expect(formatDiagnostic({ position: { file: 'x.yaml', line: 3, column: 5 }, field: 'Namespace a\x1b]0;owned\x07', message: 'bad\nmodelcar: fake line' })).toBe(
      'x.yaml:3:5: Namespace a\\x1b]0;owned\\x07: bad\\nmodelcar: fake line',
    );
  });
});

describe('systemErrorMessage', () => {
  test('says what failed, on which path, and why, in words', () => {
    const e = Object.assign(new Error("EROFS: read-only file system, open '/x/y'"), { code: 'EROFS', syscall: 'open', path: '/x/y' });
    expect(systemErrorMessage(e)).toBe('cannot open /x/y: the filesystem is read-only (EROFS)');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect(systemErrorMessage(full)).toBe('cannot write: no space left on the device (ENOSPC)');
  });
});
