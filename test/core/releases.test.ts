import { DEFAULT_RELEASE, RELEASES, deploymentModeOn, findRelease, profileOf, releaseProfile, releasesOf, resolveRelease } from '../../src/core/releases';

/** The facts of a profile that decide what modelcar writes. */
function facts(id: string) {
  const r = resolveRelease(id);
  return { platform: r.platform, kserve: r.kserveVersion, modes: r.modes.join('+'), default: deploymentModeOn(r), rawAuth: r.rawAuthMarker, runtimes: r.runtimes, crds: r.crds, imageVolumes: r.imageVolumes, modeCheck: r.modeCheck };
}

describe('release profiles', () => {
  test('GIVEN the products THEN the releases known are those whose templates and code were read', () => {
    expect(releasesOf('odh')).toStrictEqual(['2.25', '2.26', '2.27', '2.30', '2.35', '3.0', '3.3', '3.4']);
    expect(releasesOf('rhoai')).toStrictEqual(['2.16', '2.19', '2.22', '2.25', '3.0', '3.3', '3.4']);
    expect(releasesOf('kserve')).toStrictEqual(['0.15', '0.16', '0.17', '0.18', '0.19', '0.20']);
    expect(DEFAULT_RELEASE.id).toBe('odh-3.4');
    expect(RELEASES.size).toBe(21);
  });

  // OpenDataHub: opendatahub-io/odh-model-controller config/runtimes + params.env, opendatahub-io/kserve python/VERSION,
  // deployment_reconciler.go (label up to odh-v2.25, annotation from odh-v2.26), opendatahub-operator v3.0.0
  // kserve_support.go (RawDeployment only in 3.x), opendatahub-io/kserve odh-v3.4 constants.go (Knative/Standard).
  test.each([
    ['odh-2.25', { platform: 'odh', kserve: '0.14', modes: 'knative+raw', default: 'Serverless', rawAuth: 'label', runtimes: 'odh-v2.25', crds: 'odh-v2.25', imageVolumes: false, modeCheck: 'legacy' }],
    ['odh-2.26', { platform: 'odh', kserve: '0.14', modes: 'knative+raw', default: 'Serverless', rawAuth: 'annotation', runtimes: 'odh-v2.26', crds: 'odh-v2.25', imageVolumes: false, modeCheck: 'legacy' }],
    ['odh-2.30', { platform: 'odh', kserve: '0.15', modes: 'knative+raw', default: 'Serverless', rawAuth: 'annotation', runtimes: 'odh-v2.30', crds: 'v0.15.2', imageVolumes: false, modeCheck: 'legacy' }],
    ['odh-3.0', { platform: 'odh', kserve: '0.15', modes: 'raw', default: 'RawDeployment', rawAuth: 'annotation', runtimes: 'odh-v3.0', crds: 'v0.15.2', imageVolumes: false, modeCheck: 'legacy' }],
    ['odh-3.4', { platform: 'odh', kserve: '0.17', modes: 'raw', default: 'Standard', rawAuth: 'annotation', runtimes: 'odh-v3.4', crds: 'odh-v3.4', imageVolumes: false, modeCheck: 'raw' }],
    // red-hat-data-services/{odh-model-controller,kserve} rhoai-2.16: the odh-v2.25 templates, no RawDeployment auth in KServe
    ['rhoai-2.16', { platform: 'odh', kserve: '0.14', modes: 'knative+raw', default: 'Serverless', rawAuth: 'none', runtimes: 'odh-v2.25', crds: 'odh-v2.25', imageVolumes: false, modeCheck: 'legacy' }],
    ['rhoai-2.25', { platform: 'odh', kserve: '0.15', modes: 'knative+raw', default: 'Serverless', rawAuth: 'annotation', runtimes: 'odh-v2.35', crds: 'v0.15.2', imageVolumes: false, modeCheck: 'legacy' }],
    // kserve/kserve: v0.16.0 renames the modes; validateDeploymentMode compares the raw status until v0.18.x; v0.20.0 adds oci+native.
    ['kserve-0.15', { platform: 'kserve', kserve: '0.15', modes: 'knative+raw', default: 'Serverless', rawAuth: 'none', runtimes: 'odh-v2.25', crds: 'v0.15.2', imageVolumes: false, modeCheck: 'legacy' }],
    ['kserve-0.16', { platform: 'kserve', kserve: '0.16', modes: 'knative+raw', default: 'Knative', rawAuth: 'none', runtimes: 'odh-v3.4', crds: 'v0.20.0', imageVolumes: false, modeCheck: 'raw' }],
    ['kserve-0.19', { platform: 'kserve', kserve: '0.19', modes: 'knative+raw', default: 'Knative', rawAuth: 'none', runtimes: 'odh-v3.4', crds: 'v0.20.0', imageVolumes: false, modeCheck: 'parsed' }],
    ['kserve-0.20', { platform: 'kserve', kserve: '0.20', modes: 'knative+raw', default: 'Knative', rawAuth: 'none', runtimes: 'odh-v3.4', crds: 'v0.20.0', imageVolumes: true, modeCheck: 'parsed' }],
  ])('GIVEN %s THEN its facts are those read at its tag', (id, expected) => {
    expect(facts(id)).toStrictEqual(expected);
    expect(resolveRelease(id).sources.length).toBeGreaterThan(0);
  });

  test('GIVEN a mode by either name THEN it is written by its name in the release, or refused with what to write', () => {
    expect(deploymentModeOn(resolveRelease('odh-2.35'), 'RawDeployment')).toBe('RawDeployment');
    expect(deploymentModeOn(resolveRelease('odh-3.4'), 'RawDeployment')).toBe('Standard');
    expect(deploymentModeOn(resolveRelease('kserve-0.20'), 'Serverless')).toBe('Knative');
    expect(() => deploymentModeOn(resolveRelease('odh-2.35'), 'Knative')).toThrow('deploymentMode: "Knative" is a KServe 0.16 name, but OpenDataHub 2.35 runs KServe 0.15, which does not know it; use "Serverless"');
    expect(() => deploymentModeOn(resolveRelease('rhoai-3.0'), 'Serverless')).toThrow(/^deploymentMode: "Serverless" is not supported by OpenShift AI 3.0: .*; use "RawDeployment"$/);
  });

  test('GIVEN unknown names THEN the messages list what is known', () => {
    expect(findRelease('odh', '2.28')).toBe('"2.28" is not an OpenDataHub release modelcar knows; known: 2.25, 2.26, 2.27, 2.30, 2.35, 3.0, 3.3, 3.4');
    expect(findRelease('kserve', 'v0.20')).toBe('"v0.20" is not a KServe release modelcar knows (write "<major>.<minor>", quoted); known: 0.15, 0.16, 0.17, 0.18, 0.19, 0.20');
    expect(releaseProfile('rhoai').id).toBe('rhoai-3.4');
    expect(() => resolveRelease('odh-9.9')).toThrow(/^release: "odh-9.9" is not a release modelcar knows; known: odh-2.25, /);
  });

  test('GIVEN the older construct props THEN platform and kserveVersion still name a release, and disagreeing props are refused', () => {
    expect(profileOf('X', {}).id).toBe('odh-3.4');
    expect(profileOf('X', { platform: 'kserve' }).id).toBe('kserve-0.20');
    expect(profileOf('X', { platform: 'kserve', kserveVersion: '0.16' }).id).toBe('kserve-0.16');
    expect(profileOf('X', { release: 'rhoai-2.25', platform: 'odh' }).id).toBe('rhoai-2.25');
    expect(() => profileOf('X', { kserveVersion: '0.16' })).toThrow('X kserveVersion: names a plain KServe release; with platform odh name the release instead (e.g. odh-3.4)');
    expect(() => profileOf('X', { release: 'odh-3.4', kserveVersion: '0.15' })).toThrow('X kserveVersion: "0.15" does not match release odh-3.4, which runs KServe 0.17; drop kserveVersion');
  });
});
