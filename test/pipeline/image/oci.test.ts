/**
 * A base image's layers in the model image's OCI manifest: the OCI media type of their compression (Docker schema 2's
 * gzip layer as OCI's, as containers/image converts it for `--format oci`), other layer types refused.
 */
import { ociLayer } from '../../../src/pipeline/image/oci';

const digest = `sha256:${'a'.repeat(64)}`;

test.each([
  ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
  ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
  ['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar'],
  ['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd'],
])('GIVEN a base layer of type %s THEN %s, without its annotations and URLs', (from, to) => {
  expect(ociLayer({ mediaType: from, digest, size: 10, annotations: { a: 'b' } }, 'base:1')).toStrictEqual({ mediaType: to, digest, size: 10 });
});

test('GIVEN a foreign (non-distributable) base layer THEN an error that names it and the way out', () => {
  expect(() => ociLayer({ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest, size: 10 }, 'base:1')).toThrow(
    "the base image base:1 has a layer of type application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, which modelcar's image writer does not copy; use --builder podman or buildah",
  );
});
