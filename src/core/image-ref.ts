/**
 * Container image references (`[registry[:port]/]path[:tag][@digest]`), as KServe reads them from
 * `storageUri: oci://<image reference>` and as the kubelet's container runtime pulls them.
 *
 * Grammar followed (github.com/distribution/reference at main commit 0965666, after v0.6.0):
 * - regexp.go: `alphanumeric = [a-z0-9]+`, `separator = (?:[._]|__|[-]+)`,
 *   `pathComponent = alphanumeric (separator alphanumeric)*`, path components joined by `/`;
 *   `domainNameComponent = (?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])` joined by `.`,
 *   or `ipv6address = \[(?:[a-fA-F0-9:]+)\]`, then `optionalPort = (?::[0-9]+)?`;
 *   `tag = [\w][\w.-]{0,127}`; `reference = name [":" tag] ["@" digest]`.
 * - normalize.go `splitDockerDomain`: the first `/`-separated component is the registry host only
 *   when it contains `.` or `:` or is exactly `localhost`; otherwise the whole name is a path on
 *   Docker Hub (which this module reports as `domain: undefined`, without adding `docker.io/library/`).
 *   `ParseNormalizedNamed` also rejects a bare 64-hex identifier as a name.
 * - digests are then checked by github.com/opencontainers/go-digest v1.0.0 (algorithm.go):
 *   only `sha256` (64), `sha384` (96) and `sha512` (128) lowercase hex digits are accepted.
 *
 * Three deliberate differences, all stricter, so that a reference accepted here pulls on containerd
 * (which vendors distribution/reference) and on CRI-O / OpenShift (which vendors
 * github.com/containers/image docker/reference):
 * - Name length: the whole name (registry host + `/` + path) must be at most 255 characters, as in
 *   containers/image docker/reference/reference.go (`len(matches[1]) > NameTotalLengthMax`) and
 *   distribution/reference up to v0.5.0; distribution/reference v0.6.0 (commit aaca75e) counts the
 *   path only.
 * - An uppercase first component without `.`/`:` (`MyUser/model`) is rejected. distribution's
 *   splitDockerDomain takes it as a registry host, while containers/image normalize.go reads it as a
 *   Docker Hub path and rejects the uppercase; since the runtimes disagree, we ask for a fix.
 * - A registry host that fails the host grammar (`my_registry.com/x`) is rejected; distribution's
 *   `Parse` silently re-reads it as a path component on Docker Hub.
 */

/** A parsed container image reference. Fields hold the text exactly as written (no normalization). */
export interface ImageReference {
  /** Registry host[:port] as written, or undefined when the reference has none (Docker Hub is then implied). */
  readonly domain?: string;
  /** Repository path without the domain, e.g. `user/model`. */
  readonly path: string;
  /** Tag as written, e.g. `v1`; undefined when the reference has no `:tag`. */
  readonly tag?: string;
  /** e.g. `sha256:<64 hex>` */
  readonly digest?: string;
}

/**
 * Thrown for a string that is not a valid image reference. The message quotes the input, names the
 * offending part and the rule it breaks, and where possible shows the corrected reference.
 */
export class ImageReferenceError extends Error {
  /** Creates the error; `message` should say what is wrong and what would be right. */
  constructor(message: string) {
    super(message);
    this.name = 'ImageReferenceError';
  }
}

/** Longest allowed name (registry host, `/` and repository path), in characters. */
const NAME_MAX_LENGTH = 255;
/** Longest allowed tag, from `[\w][\w.-]{0,127}`. */
const TAG_MAX_LENGTH = 128;

// Module-level regexes (compiled once). Anchored versions of the distribution/reference productions.
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const PATH_CHARS_BAD_RE = /[^a-z0-9._-]/;
const SEPARATOR_RUN_RE = /[._-]+/g;
const SEPARATOR_OK_RE = /^(?:[._]|__|-+)$/;
const DOMAIN_COMPONENT_RE = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const DOMAIN_CHARS_BAD_RE = /[^a-zA-Z0-9-]/;
const IPV6_INNER_RE = /^[a-fA-F0-9:]+$/;
const PORT_RE = /^[0-9]+$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
const TAG_CHARS_BAD_RE = /[^\w.-]/;
const HEX_CHARS_BAD_RE = /[^0-9a-fA-F]/;
const UPPER_HEX_RE = /[A-F]/;
const UPPER_RE = /[A-Z]/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const ANY_CASE_HEX64_RE = /^[a-fA-F0-9]{64}$/;
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const WHITESPACE_RE = /\s/;

/** Digest algorithms go-digest v1.0.0 registers, with the number of hex digits each requires. */
const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

const FORM = '[registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"';

const q = (s: string): string => JSON.stringify(s);

/** Joins the parts back into reference text, with no validation. */
function join(domain: string | undefined, path: string, tag: string | undefined, digest: string | undefined): string {
  let s = domain === undefined ? path : `${domain}/${path}`;
  if (tag !== undefined) s += `:${tag}`;
  if (digest !== undefined) s += `@${digest}`;
  return s;
}

/** Describes a whitespace character for a message. */
function describeWhitespace(ch: string): string {
  switch (ch) {
    case ' ':
      return 'a space';
    case '\t':
      return 'a tab';
    case '\n':
      return 'a line break';
    case '\r':
      return 'a carriage return';
    default:
      return `the whitespace character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  }
}

/**
 * Parses an image reference such as `quay.io/user/model:v1` or
 * `registry.example.com:5000/a/b@sha256:<64 hex>`.
 *
 * @param ref the reference as written, without any `oci://` or other scheme.
 * @returns its parts, exactly as written; `domain` is undefined for Docker Hub short names.
 * @throws ImageReferenceError naming the offending part, the rule, and the fix.
 */
export function parseImageReference(ref: string): ImageReference {
  const known = typeof ref === 'string' ? parsedReferences.get(ref) : undefined;
  if (known) return known;
  const parsed = Object.freeze(parseReference(ref));
  if (parsedReferences.size >= MAX_REMEMBERED) parsedReferences.clear();
  parsedReferences.set(ref, parsed);
  return parsed;
}

/**
 * References parsed so far, by their text: synth checks each model's image and base image, then its constructs
 * and build files parse them again (the same base image for every model).
 */
const parsedReferences = new Map<string, Readonly<ImageReference>>();
const MAX_REMEMBERED = 100_000;

function parseReference(ref: string): ImageReference {
  if (typeof ref !== 'string') {
    throw new ImageReferenceError(`expected an image reference string such as "quay.io/user/model:v1", got ${ref === null ? 'null' : typeof ref}`);
  }
  const fail = (problem: string): ImageReferenceError =>
    new ImageReferenceError(`${q(ref)} is not a valid image reference: ${problem}`);

  if (ref === '') throw new ImageReferenceError(`the image reference is empty: expected ${FORM}`);

  const ws = WHITESPACE_RE.exec(ref);
  if (ws) {
    const trimmed = ref.trim();
    if (trimmed === '') throw fail(`it is blank (only whitespace): expected ${FORM}`);
    if (!WHITESPACE_RE.test(trimmed)) throw fail(`it has leading or trailing whitespace: write ${q(trimmed)}`);
    throw fail(`it contains ${describeWhitespace(ws[0])} after ${q(ref.slice(0, ws.index))}; image references cannot contain whitespace`);
  }

  const scheme = SCHEME_RE.exec(ref);
  if (scheme) {
    const rest = ref.slice(scheme[0].length);
    const write = rest === '' ? `and give ${FORM}` : `and write ${q(rest)}`;
    if (scheme[1]!.toLowerCase() === 'oci') {
      throw fail(`drop the ${q(scheme[0])} prefix ${write}; "oci://" belongs to KServe's storageUri, not to the image reference`);
    }
    throw fail(`drop the ${q(scheme[0])} prefix ${write}; an image reference has no URL scheme`);
  }

  if (IDENTIFIER_RE.test(ref)) {
    throw fail(
      'a bare 64-digit hex string is an image ID, not a repository name; to pin an image by digest write "<repository>@sha256:<64 hex digits>"',
    );
  }

  // reference := name [":" tag] ["@" digest]. A digest has no "@" or "/", a tag has no "/" or ":".
  const at = ref.indexOf('@');
  const rest = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? undefined : rest.slice(colon + 1);

  // ---- name: [domain "/"] path
  if (name === '') {
    const before = colon >= 0 ? '":"' : '"@"';
    throw fail(`the repository name is missing before ${before}; expected ${FORM}`);
  }
  if (name.startsWith('/')) {
    const stripped = name.replace(/^\/+/, '');
    if (stripped === '') throw fail(`the repository name is missing; expected ${FORM}`);
    throw fail(`the name must not start with "/": write ${q(join(undefined, stripped, tag, digest))}`);
  }
  let domain: string | undefined;
  let path = name;
  const firstSlash = name.indexOf('/');
  if (firstSlash >= 0) {
    const first = name.slice(0, firstSlash);
    // "[" can only begin a bracketed IPv6 host; treating it as one gives the clearer message.
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      domain = first;
      path = name.slice(firstSlash + 1);
    } else if (UPPER_RE.test(first)) {
      const fixed = join(undefined, name.toLowerCase(), tag, digest);
      throw fail(
        `the repository path must be lowercase (write ${q(fixed)}); ${q(first)} is read as a path component, not as a registry host, ` +
          'because a registry host must contain "." or ":" or be "localhost" (e.g. "registry.example.com/model" or "myhost:5000/model")',
      );
    }
  } else if (name.startsWith('[')) {
    const problem = checkDomain(rest);
    if (problem) throw fail(problem);
    throw fail(`${q(rest)} looks like a registry host with no repository after it: write ${q(`${rest}/<repository>`)}`);
  }

  if (domain !== undefined) {
    const problem = checkDomain(domain);
    if (problem) throw fail(problem);
  }

  if (path === '') {
    throw fail(`the repository path after ${q(`${domain}/`)} is missing: write ${q(`${domain}/<repository>`)}`);
  }
  if (path.endsWith('/')) {
    throw fail(`the name must not end with "/": write ${q(join(domain, path.replace(/\/+$/, ''), tag, digest))}`);
  }
  if (path.startsWith('/') || path.includes('//')) {
    throw fail(`the repository path has an empty component ("//"): write ${q(join(domain, path.replace(/\/{2,}/g, '/').replace(/^\//, ''), tag, digest))}`);
  }
  if (UPPER_RE.test(path)) {
    throw fail(
      `the repository path must be lowercase: ${q(path)} contains ${q(UPPER_RE.exec(path)![0])}; write ${q(join(domain, path.toLowerCase(), tag, digest))}`,
    );
  }
  for (const component of path.split('/')) {
    const problem = checkPathComponent(component);
    if (problem) throw fail(problem);
  }
  if (name.length > NAME_MAX_LENGTH) {
    throw fail(
      `the name (registry host and repository path, without tag or digest) is ${name.length} characters long; the limit is ${NAME_MAX_LENGTH}`,
    );
  }

  // ---- tag
  if (tag !== undefined) {
    const problem = checkTag(tag, join(domain, path, undefined, undefined));
    if (problem) throw fail(problem);
  }

  // ---- digest
  if (digest !== undefined) {
    const problem = checkDigest(digest);
    if (problem) throw fail(problem);
  }

  const out: { domain?: string; path: string; tag?: string; digest?: string } = { path };
  if (domain !== undefined) out.domain = domain;
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return Object.freeze(out);
}

/** Checks `host[:port]` (host: DNS-ish name, IPv4, or bracketed IPv6). Returns a problem or undefined. */
function checkDomain(domain: string): string | undefined {
  let host: string;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return `the IPv6 address in the registry host ${q(domain)} is missing its closing "]"`;
    host = domain.slice(0, close + 1);
    const after = domain.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return `unexpected ${q(after)} after the IPv6 address ${q(host)}; only ":<port>" may follow it`;
      port = after.slice(1);
    }
    const inner = host.slice(1, -1);
    if (!IPV6_INNER_RE.test(inner)) {
      const zone = inner.includes('%') ? ' (zone identifiers such as "%eth0" are not supported)' : '';
      return `the IPv6 address ${q(host)} may contain only hex digits and ":"${zone}`;
    }
  } else {
    const parts = domain.split(':');
    if (parts.length > 2) {
      return `the registry host ${q(domain)} has more than one ":"; an IPv6 address must be written in brackets, e.g. "[::1]:5000"`;
    }
    host = parts[0]!;
    port = parts[1];
    if (host === '') return `the registry host is missing before ${q(`:${port}`)}`;
    for (const label of host.split('.')) {
      if (label === '') {
        return `the registry host ${q(host)} has an empty label; check for "..", or a leading or trailing "."`;
      }
      if (!DOMAIN_COMPONENT_RE.test(label)) {
        const bad = DOMAIN_CHARS_BAD_RE.exec(label);
        if (bad) {
          return `the registry host ${q(host)} contains ${q(bad[0])}; a host name may contain only letters, digits, "-" and "."`;
        }
        return `the registry host label ${q(label)} in ${q(host)} must start and end with a letter or digit`;
      }
    }
  }
  if (port !== undefined) {
    if (port === '') return `the port after ${q(`${host}:`)} is empty: remove the ":" or give a port number, e.g. ${q(`${host}:5000`)}`;
    if (!PORT_RE.test(port)) return `the port ${q(port)} of the registry host ${q(host)} must be a number, e.g. ${q(`${host}:5000`)}`;
  }
  return undefined;
}

/** Checks one `/`-separated path component (already known to be lowercase). */
function checkPathComponent(component: string): string | undefined {
  if (PATH_COMPONENT_RE.test(component)) return undefined;
  const bad = PATH_CHARS_BAD_RE.exec(component);
  if (bad) {
    return `the path component ${q(component)} contains ${q(bad[0])}; path components may contain only lowercase letters, digits, ".", "_" and "-"`;
  }
  if (/^[._-]|[._-]$/.test(component)) {
    return `the path component ${q(component)} must start and end with a lowercase letter or digit`;
  }
  for (const run of component.match(SEPARATOR_RUN_RE) ?? []) {
    if (!SEPARATOR_OK_RE.test(run)) {
      return `the path component ${q(component)} contains the separator ${q(run)}; between letters and digits use one ".", one "_", two "__", or any number of "-"`;
    }
  }
  return `the path component ${q(component)} does not match [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
}

/** Checks a tag against `[\w][\w.-]{0,127}`. `name` is the reference without tag, for suggestions. */
function checkTag(tag: string, name: string): string | undefined {
  if (TAG_RE.test(tag)) return undefined;
  if (tag === '') return `the tag after ":" is empty: remove the ":" or give a tag, e.g. ${q(`${name}:v1`)}`;
  const bad = TAG_CHARS_BAD_RE.exec(tag);
  if (bad) return `the tag ${q(tag)} contains ${q(bad[0])}; a tag may contain only letters, digits, "_", "." and "-"`;
  if (tag.length > TAG_MAX_LENGTH) return `the tag is ${tag.length} characters long; a tag may have at most ${TAG_MAX_LENGTH} characters`;
  return `the tag ${q(tag)} must start with a letter, digit or "_"`;
}

/** Checks `algorithm:hex` the way go-digest v1.0.0 `Digest.Validate` does. */
function checkDigest(digest: string): string | undefined {
  const example = '"sha256:" followed by 64 lowercase hex digits';
  if (digest === '') return `the digest after "@" is empty: expected ${example}`;
  if (digest.includes('/')) {
    return `the text after "@" (${q(digest)}) is not a digest: "@" may appear only once, before a digest at the end ("<repository>@sha256:<hex>"), and registry credentials cannot be part of an image reference`;
  }
  if (digest.includes('@')) return 'it contains more than one "@"; "@" may appear only once, before the digest';
  const colon = digest.indexOf(':');
  if (colon < 0) {
    if (ANY_CASE_HEX64_RE.test(digest)) return `the digest ${q(digest)} is missing its algorithm: write ${q(`sha256:${digest.toLowerCase()}`)}`;
    return `the digest ${q(digest)} must have the form "<algorithm>:<hex>", e.g. ${example}`;
  }
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const want = DIGEST_HEX_LENGTH.get(algorithm);
  if (want === undefined) {
    if (algorithm === '') return `the digest algorithm before ":" is missing: expected ${example}`;
    if (DIGEST_HEX_LENGTH.has(algorithm.toLowerCase())) {
      return `the digest algorithm ${q(algorithm)} must be lowercase: write ${q(`${algorithm.toLowerCase()}:${hex.toLowerCase()}`)}`;
    }
    return `unsupported digest algorithm ${q(algorithm)}: use sha256 (sha384 and sha512 are also accepted)`;
  }
  if (hex === '') return `the ${algorithm} digest has no hex digits after ":"; it needs exactly ${want}`;
  const bad = HEX_CHARS_BAD_RE.exec(hex);
  if (bad) return `the ${algorithm} digest contains ${q(bad[0])}, which is not a hex digit (0-9, a-f)`;
  if (hex.length !== want) return `a ${algorithm} digest has exactly ${want} hex digits, but this one has ${hex.length}`;
  if (UPPER_HEX_RE.test(hex)) return `the ${algorithm} digest must be lowercase hex: write ${q(`${algorithm}:${hex.toLowerCase()}`)}`;
  return undefined;
}

/**
 * Formats a reference back to text: `[domain/]path[:tag][@digest]`. It is the inverse of
 * {@link parseImageReference}: `parseImageReference(formatImageReference(r))` equals `r`.
 *
 * @throws ImageReferenceError when the parts are invalid or would not parse back to the same parts
 *   (e.g. `{ path: 'quay.io/x' }`, whose first component would be read as a registry host).
 */
export function formatImageReference(ref: ImageReference): string {
  if (ref.domain === '') {
    throw new ImageReferenceError('cannot format an image reference with an empty domain: leave domain undefined for Docker Hub');
  }
  const text = join(ref.domain, ref.path, ref.tag, ref.digest);
  const back = parseImageReference(text);
  if (back.domain !== ref.domain || back.path !== ref.path || back.tag !== ref.tag || back.digest !== ref.digest) {
    if (ref.domain === undefined && back.domain !== undefined) {
      throw new ImageReferenceError(
        `cannot format path ${q(ref.path)} without a domain: its first component ${q(back.domain)} would be read as the registry host; ` +
          `set domain: ${q(back.domain)} and path: ${q(back.path)}`,
      );
    }
    throw new ImageReferenceError(
      `cannot format ${JSON.stringify(ref)}: it would be written as ${q(text)}, which reads back as ${JSON.stringify(back)}`,
    );
  }
  return text;
}

/**
 * The repository name a registry knows, with its host: `domain/path`, or just `path` when the
 * reference has no domain (a Docker Hub short name, kept as written, e.g. `user/model`).
 */
export function repositoryOf(ref: ImageReference): string {
  return ref.domain === undefined ? ref.path : `${ref.domain}/${ref.path}`;
}

/**
 * True when pulls of this reference re-download on every start: tag `latest` or neither tag nor digest.
 * This mirrors Kubernetes' imagePullPolicy defaulting (pkg/apis/core/v1/defaults.go with
 * pkg/util/parsers ParseImageName): an image whose tag is `latest`, or which has neither tag nor
 * digest, gets `imagePullPolicy: Always`, even when a digest is also given alongside `:latest`.
 */
export function isFloating(ref: ImageReference): boolean {
  return ref.tag === 'latest' || (ref.tag === undefined && ref.digest === undefined);
}
