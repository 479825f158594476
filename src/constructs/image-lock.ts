/** How a model's storageUri gets pinned to the digest its image was pushed as (the lock file implements it). */
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
