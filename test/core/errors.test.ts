import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigError, PropChecker, PropError, UserError } from '../../src/core/errors';

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
