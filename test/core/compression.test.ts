/**
 * Layer compressions and what the nodes of each platform release can pull. The runtime versions are read in the
 * runtimes' source (containerd/containerd v1.5.0 archive/compression/compression.go; cri-o/cri-o v1.20.0 go.mod with
 * containers/image v5.7.0 pkg/compression; moby/moby PR 41759 in v23.0.0), the oldest nodes of a release in its
 * installer (opendatahub-io/opendatahub-operator v2.25.0 to v3.4.0 clusterserviceversion minKubeVersion 1.25.0, which
 * is OpenShift 4.12 with CRI-O 1.25; kserve/kserve v0.15.2 hack/quick_install.sh "at least Kubernetes 1.24", with
 * containerd 1.6.4 per containerd v1.7.0 RELEASES.md). The e2e tests pull each compression with podman.
 */
import { COMPRESSIONS, DEFAULT_COMPRESSION, LAYER_MEDIA_TYPES, RUNTIME_SUPPORT, compressionOf, compressionProblem, versionAtLeast } from '../../src/core/compression';
import { RELEASES, resolveRelease } from '../../src/core/releases';

describe('layer compressions', () => {
  test('GIVEN the compressions THEN none is the default, each has its OCI media type, and media types map back (Docker gzip too)', () => {
    expect(COMPRESSIONS).toStrictEqual(['none', 'zstd', 'gzip']);
    expect(DEFAULT_COMPRESSION).toBe('none');
    for (const c of COMPRESSIONS) expect(compressionOf(LAYER_MEDIA_TYPES[c])).toBe(c);
    expect(compressionOf('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(compressionOf('application/vnd.oci.image.layer.v1.tar+lz4')).toBeUndefined();
  });

  test('GIVEN the runtimes THEN zstd needs containerd 1.5.0, CRI-O 1.20.0, Docker Engine 23.0.0; none and gzip any version', () => {
    expect(RUNTIME_SUPPORT.map((s) => [s.runtime, s.none, s.gzip, s.zstd])).toStrictEqual([
      ['containerd', '*', '*', '1.5.0'],
      ['CRI-O', '*', '*', '1.20.0'],
      ['Docker Engine', '*', '*', '23.0.0'],
    ]);
    for (const s of RUNTIME_SUPPORT) expect(s.source).toMatch(/(v\d+\.\d+\.\d+|PR \d+)/);
  });

  test.each([
    ['1.25.0', '1.20.0', true],
    ['1.20.0', '1.20.0', true],
    ['1.4.13', '1.5.0', false],
    ['1.10.0', '1.9.0', true],
    ['1.6', '1.6.4', false],
    ['2.0.0', '1.5.0', true],
    ['0.1.0', '*', true],
  ])('GIVEN version %s and the oldest %s THEN at least: %s', (a, b, at) => {
    expect(versionAtLeast(a, b)).toBe(at);
  });
});

describe('what the nodes of each release pull', () => {
  test('GIVEN every release THEN its oldest nodes: OpenShift 4.12 with CRI-O 1.25 for OpenDataHub and OpenShift AI, Kubernetes 1.24 with containerd 1.6.4 or CRI-O 1.24 for KServe', () => {
    const nodes = Object.fromEntries([...RELEASES.values()].map((r) => [r.id, `${r.nodes.platform}: ${r.nodes.runtimes.map((n) => `${n.runtime} ${n.version}`).join(', ')}`]));
    for (const [id, text] of Object.entries(nodes)) {
      expect([id, text]).toStrictEqual([id, id.startsWith('kserve-') ? 'Kubernetes 1.24: containerd 1.6.4, CRI-O 1.24.0' : 'OpenShift 4.12, Kubernetes 1.25: CRI-O 1.25.0']);
    }
    expect(Object.keys(nodes)).toHaveLength(21);
  });

  test('GIVEN every release and compression THEN its nodes pull it: zstd is safe on all of them', () => {
    for (const r of RELEASES.values()) for (const c of COMPRESSIONS) expect([r.id, c, compressionProblem(r, c)]).toStrictEqual([r.id, c, undefined]);
  });

  test('GIVEN a release whose oldest nodes run containerd 1.4 THEN zstd is refused, saying which runtime and what it would need; gzip and none are not', () => {
    const old = { ...resolveRelease('kserve-0.15'), nodes: { platform: 'Kubernetes 1.20', runtimes: [{ runtime: 'containerd' as const, version: '1.4.13' }, { runtime: 'CRI-O' as const, version: '1.20.0' }], source: 'a test' } };
    expect(compressionProblem(old, 'zstd')).toBe('KServe 0.15 supports nodes with containerd 1.4.13 (Kubernetes 1.20), which cannot pull zstd layers (that needs containerd 1.5.0 or later); use none or gzip');
    expect(compressionProblem(old, 'gzip')).toBeUndefined();
    expect(compressionProblem(old, 'none')).toBeUndefined();
  });
});
