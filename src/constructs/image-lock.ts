/** How a model's storageUri gets pinned to the digest its image was pushed as (the lock file implements it). */
import { createHash } from 'crypto';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import type { ModelImage } from './model-image';

/** Something that knows which digest a model image was pushed as. */
export interface IImageLock {
  /** The digest to pin the image to (`sha256:...`), or undefined to keep the reference as given. */
  digestOf(image: ModelImage): string | undefined;
}

/** `oci://` URI of an image pinned to a digest: `oci://<repository>@<digest>` (the tag is dropped). */
export function pinnedStorageUri(image: string, digest: string): string {
  return `oci://${repositoryOf(parseImageReference(image))}@${digest}`;
}

/**
 * The digest of what a model image is built from, as far as synth can see it without reading the model files:
 * the image reference, the Containerfile's instructions (base image, COPY lines, labels, user) and each file's
 * place, URL and pinned SHA-256, and the layers' compression when one is given (`zstd` and `gzip` layers make another
 * image; `none` is what an image without one gets from modelcar's writer, so it leaves the digest as it was). A local
 * file whose content changes without a pinned sha256 is not seen. The lock file records it (`inputs`), and an
 * in-cluster build carries it.
 */
export function imageInputsDigest(image: ModelImage): string {
  // A ModelImage does not change once made: its digest is computed once (the lock, synth and pin each ask for it).
  let digest = INPUTS_DIGESTS.get(image);
  if (digest === undefined) INPUTS_DIGESTS.set(image, (digest = computeInputsDigest(image)));
  return digest;
}

const INPUTS_DIGESTS = new WeakMap<ModelImage, string>();

function computeInputsDigest(image: ModelImage): string {
  const compressed = image.compression !== undefined && image.compression !== 'none';
  const text = JSON.stringify({
    image: image.image,
    containerfile: image.containerfile('').lines.filter((l) => l.kind !== 'comment'),
    files: image.files.map((f) => ({ target: f.target, url: f.url ?? null, sha256: f.sha256 ?? null })),
    ...(compressed ? { compression: image.compression } : {}),
  });
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
