/**
 * A small base image pushed to a test registry with modelcar's own registry client, for tests that need a base to
 * build on but no container to run (no buildah): one layer holding /etc/base-release, a config with an ENTRYPOINT,
 * a CMD, an environment and a label, and an OCI manifest.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { writeLayer } from '../../src/pipeline/image/layer';
import { RegistryClient } from '../../src/pipeline/image/registry';

/** Pushes the base image as `host/repository:tag`; returns the manifest's digest. */
export async function pushTinyBase(client: RegistryClient, repository: string, tag: string): Promise<string> {
  await client.login([`repository:${repository}:pull,push`]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-base-'));
  try {
    fs.writeFileSync(path.join(dir, 'base-release'), 'tiny base 1\n');
    let layerBytes = Buffer.alloc(0);
    const layer = await writeLayer(
      [{ target: 'etc/base-release', source: path.join(dir, 'base-release') }],
      async (write) => {
        // Copies: the writer reuses its buffers once a write has called back.
        const chunks: Buffer[] = [];
        await write(new Writable({ write: (chunk: Buffer, _encoding, done) => done(void chunks.push(Buffer.from(chunk))) }));
        layerBytes = Buffer.concat(chunks);
      },
      { compression: 'none' },
    );
    await client.upload(repository, (body) => pipeline(Readable.from([layerBytes]), body as NodeJS.WritableStream & Writable), () => layer.digest);
    const config = Buffer.from(
      JSON.stringify({
        created: '2024-01-02T03:04:05Z',
        architecture: 'amd64',
        os: 'linux',
        config: { Env: ['PATH=/bin'], Entrypoint: ['/bin/base'], Cmd: ['--help'], WorkingDir: '/work', Labels: { 'base.label': 'kept' } },
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        history: [{ created: '2024-01-02T03:04:05Z', created_by: 'tiny base' }],
      }),
    );
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    await client.uploadBuffer(repository, config, configDigest);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
      }),
    );
    return await client.putManifest(repository, tag, 'application/vnd.oci.image.manifest.v1+json', manifest);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
