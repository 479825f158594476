/**
 * Hugging Face Hub repositories as a source of model files: what names a repository and a revision, the
 * canonical URL of a file at a commit, the include/exclude patterns, and the snapshot of a repository's files at
 * one commit that the lock file records. Pure functions: the hub's HTTP API is spoken in pipeline/sources.
 */
import { createHash } from 'crypto';

/** The public hub. `HF_ENDPOINT` points downloads at a mirror; the canonical URLs in the output keep this one. */
export const HUB_ENDPOINT = 'https://huggingface.co';

/**
 * What is wrong with a hub endpoint to download from (HF_ENDPOINT for stage, `inCluster.hubEndpoint` for a run):
 * not a URL, not http(s), or a URL that carries credentials (`user:password@`), which messages (and a TaskRun)
 * would show. Undefined when it is fine.
 */
export function hubEndpointProblem(endpoint: string): 'not a URL' | 'not http(s)' | 'credentials' | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not http(s)';
  if (url.username || url.password) return 'credentials';
  return undefined;
}

/** A hub endpoint as messages show it: its `user:password@`, if any, as `***@`. */
export function shownEndpoint(endpoint: string): string {
  return endpoint.replace(/\/\/[^/@]*@/, '//***@');
}

/** One file of a repository at a commit, as the lock file records it. */
export interface HubFile {
  /** Path in the repository, with `/`. */
  readonly path: string;
  /** SHA-256, 64 lowercase hex digits: the LFS oid of large files; computed from the content of the others. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
}

/** The files of a hub repository at one commit. */
export interface HubSnapshot {
  /** `namespace/name`, e.g. `ibm-granite/granite-3.1-2b-instruct`. */
  readonly repo: string;
  /** The commit (40 hex digits) the files are at. */
  readonly commit: string;
  /** The files, sorted by path. */
  readonly files: readonly HubFile[];
}

/**
 * Why a repository id is not one the hub accepts, or undefined. The rule of huggingface_hub's
 * `validate_repo_id` (huggingface/huggingface_hub, src/huggingface_hub/utils/_validators.py): `name` or
 * `namespace/name`, each of letters, digits, `-`, `_` and `.`, no `--` or `..`, not starting or ending with `-`
 * or `.`, at most 96 characters.
 */
export function checkRepoId(repo: string): string | undefined {
  const example = 'write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct';
  if (repo.length > 96) return `is longer than 96 characters; ${example}`;
  if (/^https?:\/\//.test(repo)) return `is a URL; give the repository id only: ${example}`;
  if (!/^([\w.-]+\/)?[\w.-]+$/.test(repo)) return `is not a repository id; ${example}`;
  if (repo.includes('--') || repo.includes('..')) return `must not contain "--" or ".."; ${example}`;
  if (repo.split('/').some((p) => /^[-.]|[-.]$/.test(p))) return `must not start or end a part with "-" or "."; ${example}`;
  return undefined;
}

/** Whether a revision is a full commit id (40 hex digits): then it names the same files forever. */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** Why a revision cannot name a branch, tag or commit, or undefined. */
export function checkRevision(revision: string): string | undefined {
  if (/[\s\0~^:?*[\\]/.test(revision) || revision.includes('..') || revision.startsWith('/') || revision.endsWith('/')) {
    return 'is not a git revision: give a branch (main), a tag (v1.0) or a commit id (40 hex digits)';
  }
  return undefined;
}

/** A path in a repository with each segment percent-encoded, as the resolve URL takes it. */
export function encodeRepoPath(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}

/**
 * The URL a file of a repository is downloaded from: `<endpoint>/<repo>/resolve/<revision>/<path>` (huggingface_hub's
 * `hf_hub_url`, src/huggingface_hub/file_download.py). The revision is encoded as one segment (`refs/pr/1` too).
 */
export function hubFileUrl(repo: string, revision: string, filePath: string, endpoint = HUB_ENDPOINT): string {
  return `${endpoint.replace(/\/+$/, '')}/${hubFilePath(repo, revision, filePath)}`;
}

/** The path of a file at a revision below the hub's endpoint: `<repo>/resolve/<revision>/<path>` (build.sh adds HF_ENDPOINT). */
export function hubFilePath(repo: string, revision: string, filePath: string): string {
  return `${repo}/resolve/${encodeURIComponent(revision)}/${encodeRepoPath(filePath)}`;
}

/** The key of a repository at a revision in the lock file and in messages: `namespace/name@revision`. */
export function hubSourceKey(repo: string, revision: string): string {
  return `${repo}@${revision}`;
}

/**
 * Whether a path matches a pattern as huggingface_hub's `allow_patterns`/`ignore_patterns` match
 * (`filter_repo_objects`, src/huggingface_hub/utils/_paths.py: Python's `fnmatch.fnmatchcase`): `*` matches any
 * characters, `/` included, `?` one character, `[abc]`/`[!abc]` one of a set; a pattern ending in `/` matches
 * everything below that folder. Case-sensitive.
 */
export function matchesPattern(filePath: string, pattern: string): boolean {
  return patternRegExp(pattern).test(filePath);
}

/** A pattern as {@link matchesPattern} reads it, as a regular expression of whole paths. */
function patternRegExp(pattern: string): RegExp {
  const full = pattern.endsWith('/') ? `${pattern}*` : pattern;
  let re = '';
  for (let i = 0; i < full.length; i++) {
    const c = full[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = full.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = full.slice(i + 1, end);
        const negate = set.startsWith('!');
        if (negate) set = set.slice(1);
        re += `[${negate ? '^' : ''}${set.replace(/\\/g, '\\\\').replace(/\^/g, '\\^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** The files of a snapshot that `include` (any of them; default all) and `exclude` (none of them) select. */
export function selectHubFiles(files: readonly HubFile[], include: readonly string[] | undefined, exclude: readonly string[] | undefined): HubFile[] {
  // Each pattern made a regular expression once, not once per file.
  const included = include?.map(patternRegExp);
  const excluded = (exclude ?? []).map(patternRegExp);
  return files.filter((f) => (!included || included.some((re) => re.test(f.path))) && !excluded.some((re) => re.test(f.path)));
}

/** The git object id of a file's content (`git hash-object`): what the hub's tree gives as `oid` for a file not in LFS. */
export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * The environment variable that says, in modelcar's hub errors, how to give a token where the build runs: an
 * in-cluster build's stage step sets it (name a Secret in the config), a local run has none (HF_TOKEN, or a login).
 */
export const HUB_TOKEN_ADVICE_VARIABLE = 'MODELCAR_HUB_TOKEN_ADVICE';
