/**
 * build.sh: the build of a model image for people without modelcar. It does what `modelcar stage` and
 * `modelcar build --push` do, more simply (curl, no progress bar, every file hashed on every run), with the same
 * build flags and labels, so it builds the same image: the same digest.
 */
import * as path from 'path';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import { BUILD_FLAGS_TEXT, FILES_LABEL } from '../core/model-files';
import { isS3Source } from '../core/model-files';
import type { DigestSlot, ModelFileEntry } from '../core/model-files';
import { shellQuote } from '../core/output-file';
import { HUB_ENDPOINT, hubFilePath } from '../core/hub';

/** What build.sh is made from. */
export interface BuildScriptProps {
  readonly notice: string;
  readonly description: string;
  readonly image: string;
  readonly files: readonly ModelFileEntry[];
  /** The build context folder, absolute: local sources are written relative to it. */
  readonly contextDir: string;
  /** The files label, as text and digest slots. */
  readonly filesLabel: readonly (string | DigestSlot)[];
}

/** The text of build.sh. */
export function renderBuildScript(props: BuildScriptProps): string {
  const steps = props.files.map((f, slot) => {
    if (f.hub) return `hub ${[hubFilePath(f.hub.repo, f.hub.commit, f.hub.path), f.target, f.sha256!].map(shellQuote).join(' ')}; SHA_${slot}=$actual`;
    const from = f.url ?? path.relative(props.contextDir, f.localPath!).split(path.sep).join('/');
    // A file of a folder cannot be pinned: '-' says so, and its digest is printed without the hint.
    const args = [from, f.target, ...(f.sha256 ? [f.sha256] : f.folder !== undefined ? ['-'] : [])].map(shellQuote).join(' ');
    return `${f.url ? (isS3Source(f.url) ? 'fetch_s3' : 'fetch') : f.link ? 'copy_target' : 'copy'} ${args}; SHA_${slot}=$actual`;
  });
  // Text parts single-quoted, digest slots as "$SHA_n": the shell joins them into the label's value.
  const merged: (string | DigestSlot)[] = [];
  for (const p of props.filesLabel) {
    const last = merged[merged.length - 1];
    if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  const label = merged.map((p) => (typeof p === 'string' ? shellQuote(p) : `"$SHA_${p.slot}"`)).join('');
  const repository = repositoryOf(parseImageReference(props.image));
  return `#!/bin/sh
# ${props.notice}
#
# Builds the model image for ${props.description} and pushes it as IMAGE (below):
# what \`modelcar stage\` and \`modelcar build --push\` do, with the same build flags, so the same image digest.
# Usage: ./build.sh [--no-push] [--tls-verify=false]
#   BUILDER=podman|buildah   the image builder (default: podman when installed, else buildah)
# Pushing needs credentials for the registry: run \`podman login\` (or \`buildah login\`) first, or point
# REGISTRY_AUTH_FILE at a Docker config file (a pull secret's .dockerconfigjson works).
set -eu
cd "$(dirname "$0")"

IMAGE=${shellQuote(props.image)}
PUSH=1
TLS=
for arg in "$@"; do
  case "$arg" in
    --no-push) PUSH=0 ;;
    --tls-verify=false) TLS=--tls-verify=false ;;
    *) echo "usage: $0 [--no-push] [--tls-verify=false]" >&2; exit 2 ;;
  esac
done
if [ -z "\${BUILDER:-}" ]; then
  if command -v podman >/dev/null 2>&1; then BUILDER=podman; else BUILDER=buildah; fi
fi

# check FILE SOURCE [SHA256|-]: verifies a staged model file, or prints its digest (so it can be pinned, unless -).
check() {
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "\${3:-}" = - ]; then
    echo "$1: sha256 $actual"
  elif [ -z "\${3:-}" ]; then
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
${props.files.some((f) => f.url !== undefined && isS3Source(f.url)) ? FETCH_S3 : ''}# copy SOURCE FILE [SHA256]: hard-links (or else copies) a local model file into place.
copy() {
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    exit 1
  fi
}
${props.files.some((f) => f.link) ? COPY_TARGET_FUNCTION : ''}${props.files.some((f) => f.hub) ? HUB_FUNCTION : ''}
${steps.join('\n')}

FILES=${label}
"$BUILDER" build ${BUILD_FLAGS_TEXT} $TLS --label "${FILES_LABEL}=$FILES" -t "$IMAGE" .
if [ "$PUSH" = 1 ]; then
  digestfile=$(mktemp)
  trap 'rm -f "$digestfile"' EXIT
  "$BUILDER" push $TLS --digestfile "$digestfile" "$IMAGE"
  echo "pushed $IMAGE: ${repository}@$(cat "$digestfile")"
fi
`;
}

/**
 * The build script's download of a file of a Hugging Face repository: from HF_ENDPOINT (a mirror) or the hub, with
 * the token of HF_TOKEN or of the token file `hf auth login` writes. curl gets the token on its standard input, not
 * on its command line (where `ps` shows it), and sends such a header to the hub's host only, never to the CDN a
 * redirect leads to (curl 7.58 and later). A download cut short is resumed (`-C -`).
 */
const HUB_FUNCTION = `
# hub PATH FILE SHA256: downloads a file of a Hugging Face repository (PATH: <repo>/resolve/<commit>/<file>) from
# HF_ENDPOINT (default ${HUB_ENDPOINT}), with the token of HF_TOKEN or the token file, unless it is already in place.
hub() {
  if [ ! -f "$2" ]; then
    mkdir -p "$(dirname "$2")"
    url="\${HF_ENDPOINT:-${HUB_ENDPOINT}}/$1"
    echo "fetching $url"
    token="\${HF_TOKEN:-}"
    tokenfile="\${HF_TOKEN_PATH:-\${HF_HOME:-\${XDG_CACHE_HOME:-$HOME/.cache}/huggingface}/token}"
    if [ -z "$token" ] && [ -f "$tokenfile" ]; then token=$(tr -d '\\r\\n' < "$tokenfile"); fi
    if [ -n "$token" ]; then
      printf 'Authorization: Bearer %s\\n' "$token" | curl -fSL --retry 3 -C - -H @- -o "$2.part" "$url"
    else
      curl -fSL --retry 3 -C - -o "$2.part" "$url"
    fi
    mv "$2.part" "$2"
  fi
  if ! check "$2" "$1" "$3"; then
    rm -f "$2"
    echo "removed $2; run again to download it anew" >&2
    exit 1
  fi
}
`;

/**
 * build.sh's download from S3-compatible storage, written only for models with s3:// sources: curl signs the
 * request (AWS Signature Version 4, `--aws-sigv4`, curl 7.75 or later) with the credentials of the environment,
 * which it reads from its standard input (`-K -`), never from its command line. S3 wants the payload's digest in a
 * header of its own (`x-amz-content-sha256`), which curl 7.88 does not add by itself.
 */
const FETCH_S3 = `# fetch_s3 S3URL FILE [SHA256]: downloads a model file from S3-compatible storage unless it is already in place, with
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT (default AWS S3) and AWS_DEFAULT_REGION (default us-east-1).
fetch_s3() {
  if [ ! -f "$2" ]; then
    mkdir -p "$(dirname "$2")"
    echo "fetching $1"
    region=\${AWS_DEFAULT_REGION:-\${AWS_REGION:-us-east-1}}
    endpoint=\${AWS_S3_ENDPOINT:-\${AWS_ENDPOINT_URL:-https://s3.$region.amazonaws.com}}
    case "$endpoint" in http://*|https://*) ;; *) endpoint="https://$endpoint" ;; esac
    {
      printf 'user = "%s:%s"\\n' "\${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}" "\${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"
      if [ -n "\${AWS_SESSION_TOKEN:-}" ]; then printf 'header = "x-amz-security-token: %s"\\n' "$AWS_SESSION_TOKEN"; fi
    } | curl -K - --aws-sigv4 "aws:amz:$region:s3" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -fSL --retry 3 -o "$2.part" "\${endpoint%/}/\${1#s3://}"
    mv "$2.part" "$2"
  fi
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    echo "removed $2; run again to download it anew" >&2
    exit 1
  fi
}
`;

/**
 * The build script's copy of a local file that is a symbolic link (a Hugging Face cache's snapshot links into its
 * blobs, relatively): `ln` would link the link itself, which leads nowhere from the build context, so the file it
 * leads to is linked (`ln -L`, POSIX) or copied.
 */
const COPY_TARGET_FUNCTION = `
# copy_target SOURCE FILE [SHA256]: as copy, for a SOURCE that is a symbolic link: the file it leads to.
copy_target() {
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  ln -L "$1" "$2" 2>/dev/null || cp -L "$1" "$2"
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    exit 1
  fi
}
`;
