import fc from 'fast-check';
import {
  formatImageReference,
  ImageReference,
  ImageReferenceError,
  isFloating,
  parseImageReference,
  repositoryOf,
} from '../../src/core/image-ref';

const HEX64 = '0123456789abcdef'.repeat(4);
const SHA = `sha256:${HEX64}`;

/** The message parseImageReference throws for `ref`, with the common prefix. */
const bad = (ref: string, problem: string): string => `${JSON.stringify(ref)} is not a valid image reference: ${problem}`;

function errorOf(ref: string): ImageReferenceError {
  try {
    parseImageReference(ref);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageReferenceError);
    expect(e).toBeInstanceOf(Error);
    return e as ImageReferenceError;
  }
  throw new Error(`expected ${JSON.stringify(ref)} to be rejected`);
}

describe('parseImageReference: valid references', () => {
  const valid: [string, ImageReference][] = [
    ['quay.io/user/repo:tag', { domain: 'quay.io', path: 'user/repo', tag: 'tag' }],
    [`registry.example.com:5000/a/b@${SHA}`, { domain: 'registry.example.com:5000', path: 'a/b', digest: SHA }],
    ['localhost/x', { domain: 'localhost', path: 'x' }],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }],
    ['[::1]:5000/x:y', { domain: '[::1]:5000', path: 'x', tag: 'y' }],
    ['[2001:db8::1]/models/m', { domain: '[2001:db8::1]', path: 'models/m' }],
    [`repo:v1@${SHA}`, { path: 'repo', tag: 'v1', digest: SHA }],
    [`repo@${SHA}`, { path: 'repo', digest: SHA }],
    ['docker.io/library/busybox', { domain: 'docker.io', path: 'library/busybox' }],
    ['busybox', { path: 'busybox' }],
    ['user/model', { path: 'user/model' }],
    ['user/team/model:1.0', { path: 'user/team/model', tag: '1.0' }],
    ['192.168.1.10:5000/m:v2', { domain: '192.168.1.10:5000', path: 'm', tag: 'v2' }],
    ['registry:5000/m', { domain: 'registry:5000', path: 'm' }],
    ['my-registry.internal/m', { domain: 'my-registry.internal', path: 'm' }],
    // Uppercase is allowed in the host (DNS is case-insensitive) and in tags.
    ['Quay.io/x/y:1', { domain: 'Quay.io', path: 'x/y', tag: '1' }],
    ['quay.io/x:V1_Final', { domain: 'quay.io', path: 'x', tag: 'V1_Final' }],
    // Separators: one ".", one or two "_", any number of "-".
    ['quay.io/a.b_c__d---e/f', { domain: 'quay.io', path: 'a.b_c__d---e/f' }],
    ['quay.io/x:_private', { domain: 'quay.io', path: 'x', tag: '_private' }],
    [`quay.io/x:${'a'.repeat(128)}`, { domain: 'quay.io', path: 'x', tag: 'a'.repeat(128) }],
    [`x@sha384:${'c'.repeat(96)}`, { path: 'x', digest: `sha384:${'c'.repeat(96)}` }],
    [`x@sha512:${'d'.repeat(128)}`, { path: 'x', digest: `sha512:${'d'.repeat(128)}` }],
    // Without "/", "localhost:5000" is the repository "localhost" with tag "5000" (as in distribution/reference).
    ['localhost:5000', { path: 'localhost', tag: '5000' }],
    // A bare host-looking name with no "/" is a Docker Hub repository name, per the grammar.
    ['quay.io', { path: 'quay.io' }],
    // 255 characters of name (host + "/" + path) is the limit.
    [`quay.io/${'a'.repeat(247)}`, { domain: 'quay.io', path: 'a'.repeat(247) }],
    [`quay.io/${'a'.repeat(247)}:${'t'.repeat(128)}@${SHA}`, { domain: 'quay.io', path: 'a'.repeat(247), tag: 't'.repeat(128), digest: SHA }],
  ];

  test.each(valid)('%s', (ref, expected) => {
    const parsed = parseImageReference(ref);
    expect(parsed).toStrictEqual(expected);
    expect(formatImageReference(parsed)).toBe(ref);
  });

  test('absent parts are absent keys, not undefined values, and the result is frozen', () => {
    const parsed = parseImageReference('busybox');
    expect(Object.keys(parsed)).toEqual(['path']);
    expect(Object.isFrozen(parsed)).toBe(true);
  });
});

describe('parseImageReference: invalid references', () => {
  const invalid: [string, string][] = [
    // empty and whitespace
    ['', 'the image reference is empty: expected [registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"'],
    ['   ', bad('   ', 'it is blank (only whitespace): expected [registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"')],
    [' quay.io/x/y:1', bad(' quay.io/x/y:1', 'it has leading or trailing whitespace: write "quay.io/x/y:1"')],
    ['quay.io/x/y:1\n', bad('quay.io/x/y:1\n', 'it has leading or trailing whitespace: write "quay.io/x/y:1"')],
    ['quay.io/my model', bad('quay.io/my model', 'it contains a space after "quay.io/my"; image references cannot contain whitespace')],
    ['quay.io/x:v1\tv2', bad('quay.io/x:v1\tv2', 'it contains a tab after "quay.io/x:v1"; image references cannot contain whitespace')],
    ['x\u00a0y', bad('x\u00a0y', 'it contains the whitespace character U+00A0 after "x"; image references cannot contain whitespace')],
    // schemes
    [
      'oci://quay.io/x/y:1',
      bad('oci://quay.io/x/y:1', `drop the "oci://" prefix and write "quay.io/x/y:1"; "oci://" belongs to KServe's storageUri, not to the image reference`),
    ],
    [
      'OCI://quay.io/x',
      bad('OCI://quay.io/x', `drop the "OCI://" prefix and write "quay.io/x"; "oci://" belongs to KServe's storageUri, not to the image reference`),
    ],
    ['docker://busybox', bad('docker://busybox', 'drop the "docker://" prefix and write "busybox"; an image reference has no URL scheme')],
    ['https://quay.io/x', bad('https://quay.io/x', 'drop the "https://" prefix and write "quay.io/x"; an image reference has no URL scheme')],
    // slashes
    ['/x/y', bad('/x/y', 'the name must not start with "/": write "x/y"')],
    ['/', bad('/', 'the repository name is missing; expected [registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"')],
    ['x/y/', bad('x/y/', 'the name must not end with "/": write "x/y"')],
    ['quay.io/x/:v1', bad('quay.io/x/:v1', 'the name must not end with "/": write "quay.io/x:v1"')],
    ['quay.io/', bad('quay.io/', 'the repository path after "quay.io/" is missing: write "quay.io/<repository>"')],
    ['quay.io//x', bad('quay.io//x', 'the repository path has an empty component ("//"): write "quay.io/x"')],
    ['x//y', bad('x//y', 'the repository path has an empty component ("//"): write "x/y"')],
    // missing name
    [':v1', bad(':v1', 'the repository name is missing before ":"; expected [registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"')],
    [`@${SHA}`, bad(`@${SHA}`, 'the repository name is missing before "@"; expected [registry[:port]/]repository[:tag][@digest], e.g. "quay.io/user/model:v1"')],
    [
      HEX64,
      bad(HEX64, 'a bare 64-digit hex string is an image ID, not a repository name; to pin an image by digest write "<repository>@sha256:<64 hex digits>"'),
    ],
    // uppercase
    ['quay.io/User/model:v1', bad('quay.io/User/model:v1', 'the repository path must be lowercase: "User/model" contains "U"; write "quay.io/user/model:v1"')],
    ['Busybox', bad('Busybox', 'the repository path must be lowercase: "Busybox" contains "B"; write "busybox"')],
    [
      'MyUser/model:1',
      bad(
        'MyUser/model:1',
        'the repository path must be lowercase (write "myuser/model:1"); "MyUser" is read as a path component, not as a registry host, ' +
          'because a registry host must contain "." or ":" or be "localhost" (e.g. "registry.example.com/model" or "myhost:5000/model")',
      ),
    ],
    [
      'LOCALHOST/x',
      bad(
        'LOCALHOST/x',
        'the repository path must be lowercase (write "localhost/x"); "LOCALHOST" is read as a path component, not as a registry host, ' +
          'because a registry host must contain "." or ":" or be "localhost" (e.g. "registry.example.com/model" or "myhost:5000/model")',
      ),
    ],
    // path components
    [
      'quay.io/x/my+model',
      bad('quay.io/x/my+model', 'the path component "my+model" contains "+"; path components may contain only lowercase letters, digits, ".", "_" and "-"'),
    ],
    ['quay.io/x/modèle', bad('quay.io/x/modèle', 'the path component "modèle" contains "è"; path components may contain only lowercase letters, digits, ".", "_" and "-"')],
    ['quay.io/-x', bad('quay.io/-x', 'the path component "-x" must start and end with a lowercase letter or digit')],
    ['x_', bad('x_', 'the path component "x_" must start and end with a lowercase letter or digit')],
    [
      'quay.io/a..b',
      bad('quay.io/a..b', 'the path component "a..b" contains the separator ".."; between letters and digits use one ".", one "_", two "__", or any number of "-"'),
    ],
    [
      'quay.io/a___b',
      bad('quay.io/a___b', 'the path component "a___b" contains the separator "___"; between letters and digits use one ".", one "_", two "__", or any number of "-"'),
    ],
    [
      'quay.io/a.-b',
      bad('quay.io/a.-b', 'the path component "a.-b" contains the separator ".-"; between letters and digits use one ".", one "_", two "__", or any number of "-"'),
    ],
    [
      'quay.io/a:b/c',
      bad('quay.io/a:b/c', 'the path component "a:b" contains ":"; path components may contain only lowercase letters, digits, ".", "_" and "-"'),
    ],
    // registry host
    [
      'my_registry.com/x',
      bad('my_registry.com/x', 'the registry host "my_registry.com" contains "_"; a host name may contain only letters, digits, "-" and "."'),
    ],
    ['-bad.com/x', bad('-bad.com/x', 'the registry host label "-bad" in "-bad.com" must start and end with a letter or digit')],
    ['a.b..c/x', bad('a.b..c/x', 'the registry host "a.b..c" has an empty label; check for "..", or a leading or trailing "."')],
    ['.quay.io/x', bad('.quay.io/x', 'the registry host ".quay.io" has an empty label; check for "..", or a leading or trailing "."')],
    [':5000/x', bad(':5000/x', 'the registry host is missing before ":5000"')],
    ['quay.io:abc/x', bad('quay.io:abc/x', 'the port "abc" of the registry host "quay.io" must be a number, e.g. "quay.io:5000"')],
    ['quay.io:/x', bad('quay.io:/x', 'the port after "quay.io:" is empty: remove the ":" or give a port number, e.g. "quay.io:5000"')],
    [
      'fe80::1/x',
      bad('fe80::1/x', 'the registry host "fe80::1" has more than one ":"; an IPv6 address must be written in brackets, e.g. "[::1]:5000"'),
    ],
    [
      '[fe80::1%eth0]:5000/x',
      bad('[fe80::1%eth0]:5000/x', 'the IPv6 address "[fe80::1%eth0]" may contain only hex digits and ":" (zone identifiers such as "%eth0" are not supported)'),
    ],
    ['[::ffff:10.0.0.1]/x', bad('[::ffff:10.0.0.1]/x', 'the IPv6 address "[::ffff:10.0.0.1]" may contain only hex digits and ":"')],
    ['[]/x', bad('[]/x', 'the IPv6 address "[]" may contain only hex digits and ":"')],
    ['[::1', bad('[::1', 'the IPv6 address in the registry host "[::1" is missing its closing "]"')],
    ['[::1]x/y', bad('[::1]x/y', 'unexpected "x" after the IPv6 address "[::1]"; only ":<port>" may follow it')],
    ['[::1]:5000', bad('[::1]:5000', '"[::1]:5000" looks like a registry host with no repository after it: write "[::1]:5000/<repository>"')],
    // tag
    ['quay.io/x:', bad('quay.io/x:', 'the tag after ":" is empty: remove the ":" or give a tag, e.g. "quay.io/x:v1"')],
    ['quay.io/x:.v1', bad('quay.io/x:.v1', 'the tag ".v1" must start with a letter, digit or "_"')],
    ['quay.io/x:-v1', bad('quay.io/x:-v1', 'the tag "-v1" must start with a letter, digit or "_"')],
    ['quay.io/x:v1+cpu', bad('quay.io/x:v1+cpu', 'the tag "v1+cpu" contains "+"; a tag may contain only letters, digits, "_", "." and "-"')],
    ['quay.io/x:a:b', bad('quay.io/x:a:b', 'the tag "a:b" contains ":"; a tag may contain only letters, digits, "_", "." and "-"')],
    [`quay.io/x:${'a'.repeat(129)}`, bad(`quay.io/x:${'a'.repeat(129)}`, 'the tag is 129 characters long; a tag may have at most 128 characters')],
    // digest
    ['quay.io/x@', bad('quay.io/x@', 'the digest after "@" is empty: expected "sha256:" followed by 64 lowercase hex digits')],
    ['quay.io/x@sha256', bad('quay.io/x@sha256', 'the digest "sha256" must have the form "<algorithm>:<hex>", e.g. "sha256:" followed by 64 lowercase hex digits')],
    [`quay.io/x@${HEX64}`, bad(`quay.io/x@${HEX64}`, `the digest "${HEX64}" is missing its algorithm: write "sha256:${HEX64}"`)],
    ['quay.io/x@:abc', bad('quay.io/x@:abc', 'the digest algorithm before ":" is missing: expected "sha256:" followed by 64 lowercase hex digits')],
    [`quay.io/x@md5:${HEX64}`, bad(`quay.io/x@md5:${HEX64}`, 'unsupported digest algorithm "md5": use sha256 (sha384 and sha512 are also accepted)')],
    [`quay.io/x@SHA256:${HEX64}`, bad(`quay.io/x@SHA256:${HEX64}`, `the digest algorithm "SHA256" must be lowercase: write "sha256:${HEX64}"`)],
    ['quay.io/x@sha256:', bad('quay.io/x@sha256:', 'the sha256 digest has no hex digits after ":"; it needs exactly 64')],
    [`quay.io/x@sha256:${HEX64.slice(1)}`, bad(`quay.io/x@sha256:${HEX64.slice(1)}`, 'a sha256 digest has exactly 64 hex digits, but this one has 63')],
    [`quay.io/x@sha256:${HEX64}0`, bad(`quay.io/x@sha256:${HEX64}0`, 'a sha256 digest has exactly 64 hex digits, but this one has 65')],
    [`quay.io/x@sha512:${HEX64}`, bad(`quay.io/x@sha512:${HEX64}`, 'a sha512 digest has exactly 128 hex digits, but this one has 64')],
    [
      `quay.io/x@sha256:${HEX64.toUpperCase()}`,
      bad(`quay.io/x@sha256:${HEX64.toUpperCase()}`, `the sha256 digest must be lowercase hex: write "sha256:${HEX64}"`),
    ],
    [`quay.io/x@sha256:${'g'.repeat(64)}`, bad(`quay.io/x@sha256:${'g'.repeat(64)}`, 'the sha256 digest contains "g", which is not a hex digit (0-9, a-f)')],
    [`quay.io/x@${SHA}@${SHA}`, bad(`quay.io/x@${SHA}@${SHA}`, 'it contains more than one "@"; "@" may appear only once, before the digest')],
    [
      'user:secret@quay.io/x',
      bad(
        'user:secret@quay.io/x',
        'the text after "@" ("quay.io/x") is not a digest: "@" may appear only once, before a digest at the end ("<repository>@sha256:<hex>"), ' +
          'and registry credentials cannot be part of an image reference',
      ),
    ],
    // length: host + "/" + path must be at most 255 characters
    [
      `quay.io/${'a'.repeat(248)}`,
      bad(`quay.io/${'a'.repeat(248)}`, 'the name (registry host and repository path, without tag or digest) is 256 characters long; the limit is 255'),
    ],
    [`${'a'.repeat(256)}:v1`, bad(`${'a'.repeat(256)}:v1`, 'the name (registry host and repository path, without tag or digest) is 256 characters long; the limit is 255')],
  ];

  test.each(invalid)('%j', (ref, message) => {
    expect(errorOf(ref).message).toBe(message);
  });

  test('the error is an ImageReferenceError named so', () => {
    const e = errorOf('Busybox');
    expect(e.name).toBe('ImageReferenceError');
  });

  test('a non-string input is rejected with a clear message', () => {
    expect(() => parseImageReference(undefined as unknown as string)).toThrow(
      new ImageReferenceError('expected an image reference string such as "quay.io/user/model:v1", got undefined'),
    );
    expect(() => parseImageReference(null as unknown as string)).toThrow('got null');
  });
});

describe('formatImageReference', () => {
  test('formats every combination of parts', () => {
    expect(formatImageReference({ path: 'x' })).toBe('x');
    expect(formatImageReference({ domain: 'quay.io', path: 'u/m', tag: 'v1' })).toBe('quay.io/u/m:v1');
    expect(formatImageReference({ domain: '[::1]:5000', path: 'm', tag: 't', digest: SHA })).toBe(`[::1]:5000/m:t@${SHA}`);
    expect(formatImageReference({ path: 'm', digest: SHA })).toBe(`m@${SHA}`);
  });

  test('rejects parts that would not parse back the same', () => {
    expect(() => formatImageReference({ path: 'quay.io/x' })).toThrow(
      new ImageReferenceError(
        'cannot format path "quay.io/x" without a domain: its first component "quay.io" would be read as the registry host; set domain: "quay.io" and path: "x"',
      ),
    );
    expect(() => formatImageReference({ domain: '', path: 'x' })).toThrow(
      new ImageReferenceError('cannot format an image reference with an empty domain: leave domain undefined for Docker Hub'),
    );
    expect(() => formatImageReference({ path: 'x:y' })).toThrow(
      new ImageReferenceError('cannot format {"path":"x:y"}: it would be written as "x:y", which reads back as {"path":"x","tag":"y"}'),
    );
  });

  test('rejects invalid parts with the parser message', () => {
    expect(() => formatImageReference({ domain: 'quay.io', path: 'User/m' })).toThrow(
      new ImageReferenceError(bad('quay.io/User/m', 'the repository path must be lowercase: "User/m" contains "U"; write "quay.io/user/m"')),
    );
    expect(() => formatImageReference({ path: 'm', tag: '' })).toThrow(ImageReferenceError);
  });
});

describe('repositoryOf', () => {
  test.each([
    ['quay.io/user/model:v1', 'quay.io/user/model'],
    [`registry.example.com:5000/a/b:t@${SHA}`, 'registry.example.com:5000/a/b'],
    ['[::1]:5000/x:y', '[::1]:5000/x'],
    ['user/model:v1', 'user/model'],
    ['busybox', 'busybox'],
  ])('%s -> %s', (ref, repo) => {
    expect(repositoryOf(parseImageReference(ref))).toBe(repo);
  });
});

describe('isFloating', () => {
  test.each([
    ['quay.io/x', true],
    ['quay.io/x:latest', true],
    [`quay.io/x:latest@${SHA}`, true], // Kubernetes still defaults imagePullPolicy to Always for ":latest"
    ['quay.io/x:v1', false],
    ['quay.io/x:Latest', false],
    [`quay.io/x@${SHA}`, false],
    [`quay.io/x:v1@${SHA}`, false],
  ])('%s -> %s', (ref, floating) => {
    expect(isFloating(parseImageReference(ref))).toBe(floating);
  });
});

describe('properties', () => {
  const lower = fc.stringMatching(/^[a-z0-9]{1,6}$/);
  const separator = fc.constantFrom('.', '_', '__', '-', '---');
  const component = fc
    .tuple(lower, fc.array(fc.tuple(separator, lower), { maxLength: 3 }))
    .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
  const hostLabel = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
  const domain = fc.oneof(
    fc.tuple(fc.array(hostLabel, { minLength: 2, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(
      ([labels, port]) => labels.join('.') + (port === undefined ? '' : `:${port}`),
    ),
    fc.tuple(hostLabel, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
    fc.constantFrom('localhost', 'localhost:5000', '[::1]', '[fe80::1]:443'),
  );
  const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
  const digest = fc.constantFrom(SHA, `sha512:${'e'.repeat(128)}`);
  const reference = fc
    .record(
      {
        domain: domain,
        path: fc.array(component, { minLength: 1, maxLength: 3 }).map((cs) => cs.join('/')),
        tag: tag,
        digest: digest,
      },
      { requiredKeys: ['path'] },
    )
    // A Docker Hub path whose first component looks like a host is a different reference; skip those.
    .filter((r) => r.domain !== undefined || !/^[^/]*[.:][^/]*\//.test(r.path)) as fc.Arbitrary<ImageReference>;

  test('parse(format(r)) equals r, and format(parse(s)) equals s', () => {
    fc.assert(
      fc.property(reference, (r) => {
        const text = formatImageReference(r);
        expect(parseImageReference(text)).toStrictEqual({ ...r });
        expect(formatImageReference(parseImageReference(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  test('any string either parses or throws ImageReferenceError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom(...'aZ09./:@_-[] %\tsha256:'.split('')) }), (s) => {
        try {
          const r = parseImageReference(s);
          expect(formatImageReference(r)).toBe(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ImageReferenceError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
