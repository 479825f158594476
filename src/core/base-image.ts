/**
 * Base images of model images: the presets a config can name, and the check that refuses bases known to have no
 * shell, which KServe's modelcar cannot run.
 */
import { parseImageReference } from './image-ref';

/** Base images with the shell and tools KServe's modelcar needs (`sh`, `ln`, `sleep`, `ls`, `echo`, `[`). */
export const BaseImages = {
  /** Red Hat UBI 8 micro: the seed's base image. */
  UBI8_MICRO: 'registry.access.redhat.com/ubi8/ubi-micro:latest',
  /** Red Hat UBI 9 micro, as later OpenDataHub docs use. */
  UBI9_MICRO: 'registry.access.redhat.com/ubi9/ubi-micro:latest',
} as const;

/** Short names a config may give as `baseImage` instead of a reference. */
export const BASE_IMAGE_PRESETS: Readonly<Record<string, string>> = {
  ubi8: BaseImages.UBI8_MICRO,
  ubi9: BaseImages.UBI9_MICRO,
};

/** The seed's base image: small, and has the shell KServe's modelcar sidecar needs. */
export const DEFAULT_BASE_IMAGE: string = BaseImages.UBI8_MICRO;

/** A preset name (`ubi8`, `ubi9`) as its image reference; anything else unchanged. */
export function resolveBaseImage(value: string): string {
  return Object.prototype.hasOwnProperty.call(BASE_IMAGE_PRESETS, value) ? BASE_IMAGE_PRESETS[value] : value;
}

/** What KServe runs in the model image, said in every refusal. */
export const WHY_A_SHELL =
  'KServe runs the model image as a sidecar with `sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"` ' +
  'and checks /models in an init container with sh, [, ls and echo';

/**
 * Why a base image cannot serve as a modelcar base, when it is one known to have no shell: `scratch`, distroless
 * images (except their `debug` tags, which ship a busybox shell) and Chainguard's `static`. Undefined otherwise:
 * other images are not inspected, since nothing is pulled at synth time.
 */
export function shellLessBaseImage(reference: string): string | undefined {
  if (reference === 'scratch') return `"scratch" is empty and has no shell; ${WHY_A_SHELL}. Use a small image with a shell, e.g. ubi9 (${BaseImages.UBI9_MICRO})`;
  let ref;
  try {
    ref = parseImageReference(reference);
  } catch {
    return undefined; // the reference check reports it
  }
  const dockerHub = ref.domain === undefined || ref.domain === 'docker.io' || ref.domain === 'index.docker.io';
  const path = ref.path.replace(/^library\//, '');
  let what: string | undefined;
  if (dockerHub && path === 'scratch') what = 'is empty and has no shell';
  else if (/(^|[/._-])distroless([/._-]|$)/.test(path) && !/(^|[-_.])debug([-_.]|$)/.test(ref.tag ?? '')) {
    what = 'is a distroless image, which has no shell (only its :debug tags ship a busybox one)';
  } else if ((ref.domain === 'cgr.dev' && path === 'chainguard/static') || (dockerHub && path === 'chainguard/static')) {
    what = "is Chainguard's static image, which has no shell";
  }
  return what && `${JSON.stringify(reference)} ${what}; ${WHY_A_SHELL}. Use a small image with a shell, e.g. ubi9 (${BaseImages.UBI9_MICRO})`;
}
