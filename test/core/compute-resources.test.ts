import { GPU_TOLERATION, MODEL_SERVER_SIZES, mergeResources, resourceProblems, withGpus } from '../../src/core/compute-resources';

describe('compute resources', () => {
  test('GIVEN defaults and overrides THEN later layers win key by key and null removes', () => {
    expect(mergeResources(MODEL_SERVER_SIZES.SMALL, { requests: { memory: '6Gi' }, limits: { cpu: null } }, undefined)).toStrictEqual({
      requests: { cpu: '1', memory: '6Gi' },
      limits: { memory: '8Gi' },
    });
    expect(mergeResources({ limits: { cpu: '1' } }, { limits: { cpu: null } })).toStrictEqual({});
    expect(MODEL_SERVER_SIZES.SMALL).toStrictEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } }); // untouched
  });

  test('GIVEN a GPU count THEN nvidia.com/gpu is requested and limited to it; 0 removes it; a fraction is refused', () => {
    expect(withGpus(MODEL_SERVER_SIZES.SMALL, 2)).toStrictEqual({
      requests: { cpu: '1', memory: '4Gi', 'nvidia.com/gpu': '2' },
      limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '2' },
    });
    expect(withGpus(withGpus(MODEL_SERVER_SIZES.SMALL, 2), 0)).toStrictEqual(MODEL_SERVER_SIZES.SMALL);
    expect(() => withGpus({}, 0.5)).toThrow('gpus: 0.5 is not a GPU count; give a whole number, 0 or more');
    expect(GPU_TOLERATION).toStrictEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test('GIVEN quantities THEN Kubernetes ones pass and others are named with their field', () => {
    expect(resourceProblems({ requests: { cpu: '1 core', memory: '4Gi' }, limits: { memory: '8GB', cpu: '-1' } })).toStrictEqual([
      { field: 'limits.cpu', path: ['limits', 'cpu'], message: 'Invalid value: "-1": must be greater than or equal to 0' },
      { field: 'limits.memory', path: ['limits', 'memory'], message: `Invalid value: "8GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; write e.g. 500m or 2 for cpu, 512Mi or 8Gi for memory` },
      { field: 'requests.cpu', path: ['requests', 'cpu'], message: `Invalid value: "1 core": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; write e.g. 500m or 2 for cpu, 512Mi or 8Gi for memory` },
    ]);
  });
});
