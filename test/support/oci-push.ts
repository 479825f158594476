/**
 * Pushes a small OCI image to a registry over the distribution API (blob uploads, then the manifest), as any build
 * tool does: for tests of `modelcar pin`, an image "built elsewhere" with the labels a test chooses, without a
 * builder. Its one layer is an empty tar.
 */
import { gzipSync } from 'zlib';
import { ociDigest } from './digest';

export interface PushedImage {
  /** The manifest digest. */
  readonly digest: string;
}

/** Pushes an image with `labels` as `registry/repository:tag` (http, Basic auth), returning its manifest digest. */
export async function pushImage(registry: string, auth: { username: string; password: string }, repository: string, tag: string, labels: Record<string, string>): Promise<PushedImage> {
  const authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const tar = Buffer.alloc(1024);
  const layer = gzipSync(tar, { level: 9 });
  layer[9] = 3; // gzip's OS byte, so the layer's digest does not depend on the machine
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: labels, User: '65534' }, rootfs: { type: 'layers', diff_ids: [ociDigest(tar)] }, history: [{ created_by: 'test' }] }),
  );
  for (const blob of [layer, config]) {
    const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, `http://${registry}`);
    location.searchParams.set('digest', ociDigest(blob));
    const put = await fetch(location, { method: 'PUT', headers: { authorization, 'content-type': 'application/octet-stream' }, body: blob });
    if (put.status !== 201) throw new Error(`upload: HTTP ${put.status} ${await put.text()}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: ociDigest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: ociDigest(layer), size: layer.length }],
    }),
  );
  const put = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { method: 'PUT', headers: { authorization, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
  if (put.status !== 201) throw new Error(`manifest: HTTP ${put.status} ${await put.text()}`);
  return { digest: ociDigest(manifest) };
}
