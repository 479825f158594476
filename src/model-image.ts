import * as path from 'path';
import { Construct } from 'constructs';
import { Containerfile } from './containerfile';
import { ModelLayout, modelFilePath } from './model-layout';
import { parseImageReference } from './image-ref';
import { OutputFile, RenderContext, generatedNotice, shellQuote } from './output/files';

/** The seed's base image: small, and has the shell KServe's modelcar sidecar needs. */
export const DEFAULT_BASE_IMAGE = 'registry.access.redhat.com/ubi8/ubi-micro:latest';

/** The UID the model image runs as: `nobody`, as in the seed. */
export const DEFAULT_IMAGE_USER = '65534';

/** One model file to put into the image. */
export interface ModelImageFile {
  /** An http(s) URL to download, or a local file path (relative paths are resolved against the working directory). */
  readonly source: string;
  /**
   * Path within the model layout, e.g. `model.onnx` (OpenVINO: `/models/1/model.onnx`).
   * @default - the last segment of source
   */
  readonly path?: string;
  /**
   * Expected SHA-256 (64 lowercase hex). The build script refuses a file that does not match.
   * @default - not checked; the build script prints the digest so it can be pinned
   */
  readonly sha256?: string;
}

/** Properties of a {@link ModelImage}. */
export interface ModelImageProps {
  /** The image reference to build and push, e.g. `quay.io/user/model:1` (no `oci://`). */
  readonly image: string;
  /** The model files. */
  readonly files: readonly ModelImageFile[];
  /** Where the model server expects the files under /models. */
  readonly layout: ModelLayout;
  /** Folder of the build context within the output, e.g. `images/my-namespace/my-model`. */
  readonly contextPath: string;
  /**
   * Base image. It must have a shell: KServe runs the model image as a sidecar with
   * `sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"`.
   * @default DEFAULT_BASE_IMAGE
   */
  readonly baseImage?: string;
  /** What the image is for, said in the build script, e.g. `InferenceService ns/name`. @default - the image */
  readonly description?: string;
}

/** A model file resolved to its place in the build context. */
interface StagedFile {
  readonly url?: string;
  readonly localPath?: string;
  readonly target: string;
  readonly sha256?: string;
}

/**
 * The build context of a model image ("modelcar"): a Containerfile that puts the model files under
 * /models, a .containerignore, a .gitignore that keeps the (large) model files out of git, and a build
 * script that fetches the files into place, builds with podman or buildah and pushes.
 * The model files themselves are not written by synth.
 *
 * @see https://kserve.github.io/website/latest/modelserving/storage/oci/
 */
export class ModelImage extends Construct {
  /** Finds the model images in a construct tree, in tree order. */
  public static all(scope: Construct): ModelImage[] {
    return scope.node.findAll().filter((c): c is ModelImage => c instanceof ModelImage);
  }

  public readonly image: string;
  public readonly contextPath: string;
  public readonly baseImage: string;
  private readonly description: string;
  private readonly files: readonly StagedFile[];

  constructor(scope: Construct, id: string, props: ModelImageProps) {
    super(scope, id);
    parseImageReference(props.image);
    this.image = props.image;
    this.baseImage = props.baseImage ?? DEFAULT_BASE_IMAGE;
    parseImageReference(this.baseImage);
    this.contextPath = checkRelativePath('ModelImage contextPath', props.contextPath);
    this.description = props.description ?? props.image;
    if (props.files.length === 0) throw new Error('ModelImage files: a model image needs at least one file');
    const seen = new Set<string>();
    this.files = props.files.map((f, i) => {
      const isUrl = /^https?:\/\//.test(f.source);
      const name = f.path ?? fileNameOf(f.source);
      const problem = checkModelFilePath(name);
      if (problem) throw new Error(`ModelImage files[${i}].path: ${JSON.stringify(name)} ${problem}`);
      const target = modelFilePath(props.layout, name);
      if (seen.has(target)) throw new Error(`ModelImage files[${i}].path: "${name}" is given twice; each file needs its own path`);
      seen.add(target);
      if (f.sha256 !== undefined && !/^[a-f0-9]{64}$/.test(f.sha256)) {
        throw new Error(`ModelImage files[${i}].sha256: "${f.sha256}" is not a SHA-256 digest (64 lowercase hex digits)`);
      }
      return isUrl ? { url: f.source, target, sha256: f.sha256 } : { localPath: path.resolve(f.source), target, sha256: f.sha256 };
    });
  }

  /**
   * The Containerfile, with the seed's image semantics: model files under /models owned 0:0 and
   * world-readable (OpenShift runs pods with a random UID in group 0), USER nobody, no ENTRYPOINT (KServe
   * gives the container its own command). Unlike the seed's `COPY` + `RUN chmod -R a=rX`, which stores every
   * model byte twice (two layers), each file is copied with its owner and mode set in the same step: one
   * layer per file, the bytes stored once. Folders that COPY creates are 0755 root.
   */
  public containerfile(source: string): Containerfile {
    const file = new Containerfile()
      .comment(generatedNotice(source))
      .from(this.baseImage)
      .comment('KServe reads the model from /models. Owner 0:0 and world-readable, for the random UID OpenShift runs pods with;\nmodes are set by COPY itself, so each file is stored once, in a layer of its own.');
    for (const f of this.files) file.copy([f.target], `/${f.target}`, { chown: '0:0', chmod: '0444' });
    return file.comment('nobody user').user(DEFAULT_IMAGE_USER);
  }

  /** The files of the build context, relative to the output folder. */
  public render(context: RenderContext): OutputFile[] {
    const dir = this.contextPath;
    const notice = generatedNotice(context.source);
    return [
      { path: `${dir}/Containerfile`, content: this.containerfile(context.source).render() },
      {
        path: `${dir}/.containerignore`,
        content: `# ${notice}\n# Only the model files are sent to the build.\n*\n!models\n`,
      },
      {
        path: `${dir}/.gitignore`,
        content: `# ${notice}\n# Model files are fetched by build.sh and can be many GB: they do not belong in git.\n/models/\n`,
      },
      { path: `${dir}/build.sh`, content: this.buildScript(context, notice), executable: true },
    ];
  }

  private buildScript(context: RenderContext, notice: string): string {
    const contextDir = path.join(context.outdir, ...(context.subdir ? [context.subdir] : []), ...this.contextPath.split('/'));
    const steps = this.files.map((f) => {
      const from = f.url ?? path.relative(contextDir, f.localPath!).split(path.sep).join('/');
      const args = [from, f.target, ...(f.sha256 ? [f.sha256] : [])].map(shellQuote).join(' ');
      return `${f.url ? 'fetch' : 'copy'} ${args}`;
    });
    return `#!/bin/sh
# ${notice}
#
# Builds the model image for ${this.description} and pushes it as IMAGE (below).
# Usage: ./build.sh [--no-push]
#   BUILDER=podman|buildah   the image builder (default: podman when installed, else buildah)
# Pushing needs credentials for the registry: run \`podman login\` (or \`buildah login\`) first, or point
# REGISTRY_AUTH_FILE at a Docker config file (a pull secret's .dockerconfigjson works).
set -eu
cd "$(dirname "$0")"

IMAGE=${shellQuote(this.image)}
PUSH=1
for arg in "$@"; do
  case "$arg" in
    --no-push) PUSH=0 ;;
    *) echo "usage: $0 [--no-push]" >&2; exit 2 ;;
  esac
done
if [ -z "\${BUILDER:-}" ]; then
  if command -v podman >/dev/null 2>&1; then BUILDER=podman; else BUILDER=buildah; fi
fi

# check FILE SOURCE [SHA256]: verifies a staged model file, or prints its digest so it can be pinned.
check() {
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  if [ -z "\${3:-}" ]; then
    echo "$1: sha256 $actual (not pinned: add it as sha256 of $2 in the config)"
  elif [ "$actual" != "$3" ]; then
    echo "$1: sha256 of $2 is $actual, but the config expects $3" >&2
    return 1
  fi
}
# fetch URL FILE [SHA256]: downloads a model file unless it is already in place.
fetch() {
  if [ ! -f "$2" ]; then
    mkdir -p "$(dirname "$2")"
    echo "fetching $1"
    curl -fSL --retry 3 -o "$2.part" "$1"
    mv "$2.part" "$2"
  fi
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    echo "removed $2; run again to download it anew" >&2
    exit 1
  fi
}
# copy SOURCE FILE [SHA256]: hard-links (or else copies) a local model file into place.
copy() {
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
  check "$2" "$1" "\${3:-}" || exit 1
}

${steps.join('\n')}

"$BUILDER" build --format=oci -t "$IMAGE" .
if [ "$PUSH" = 1 ]; then
  "$BUILDER" push "$IMAGE"
fi
`;
  }
}

/** The default file name of a model file source: the last segment of its URL path or file path. */
export function fileNameOf(source: string): string {
  if (/^https?:\/\//.test(source)) {
    const segment = path.posix.basename(new URL(source).pathname);
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return path.basename(source);
}

/** Why a model file path is not acceptable (a relative path without `.`/`..`/empty segments), or undefined. */
export function checkModelFilePath(value: string): string | undefined {
  const segments = value.split('/');
  if (value.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return 'must be a relative path without "." or ".." segments (e.g. model.onnx)';
  }
  if (/[\0\r\n]/.test(value)) return 'must not contain line breaks or NUL';
  return undefined;
}

/** Checks a relative path with `/` separators and no `.`, `..` or empty segments; returns it. */
function checkRelativePath(prop: string, value: string): string {
  const problem = checkModelFilePath(value);
  if (problem) throw new Error(`${prop}: ${JSON.stringify(value)} ${problem}`);
  return value;
}
