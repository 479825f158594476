import { execFileSync } from 'child_process';
import fc from 'fast-check';
import {
  DEFAULT_DOCKER_SERVER,
  DockerRegistryCredentials,
  dockerConfigJson,
  goJsonString,
} from '../../src/core/docker-config';
import { requireTool } from '../support/tools';

describe('goJsonString', () => {
  // GIVEN a string WHEN it is encoded THEN the result is exactly what Go's json.Marshal writes
  test.each<[string, string, string]>([
    ['the empty string', '', '""'],
    ['plain ASCII', 'robot$1-x_Y.z', '"robot$1-x_Y.z"'],
    ['a double quote', 'a"b', '"a\\"b"'],
    ['a backslash', 'a\\b', '"a\\\\b"'],
    ['an escaped-looking sequence stays literal', '\\n\\u0041', '"\\\\n\\\\u0041"'],
    ['newline, carriage return, tab', 'a\nb\rc\td', '"a\\nb\\rc\\td"'],
    ['backspace and form feed use short forms (Go >= 1.22)', 'a\bb\fc', '"a\\bb\\fc"'],
    ['NUL', '\u0000', '"\\u0000"'],
    ['other control characters as lowercase \\u00xx', '\u0001\u000b\u000e\u001a\u001f', '"\\u0001\\u000b\\u000e\\u001a\\u001f"'],
    ['space is not a control character', ' ', '" "'],
    ['DEL is written raw', 'a\u007fb', '"a\u007fb"'],
    ['< > & are HTML-escaped', '<a href="x">&amp;</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e"'],
    ['U+2028 and U+2029 are escaped', 'a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    ['non-ASCII is written raw', 'é日本€\u0080\u00ff\u2027\u202a', '"é日本€\u0080\u00ff\u2027\u202a"'],
    ['a surrogate pair (emoji) is written raw', 'x😀y', '"x😀y"'],
    ['U+FFFD itself is written raw', '\ufffd', '"\ufffd"'],
    ['the last BMP character is written raw', '\uffff', '"\uffff"'],
    ['a lone high surrogate becomes U+FFFD', 'a\ud800b', '"a\ufffdb"'],
    ['a lone low surrogate becomes U+FFFD', 'a\udc00b', '"a\ufffdb"'],
    ['a high surrogate at the end becomes U+FFFD', 'ab\udbff', '"ab\ufffd"'],
    ['a reversed pair becomes two U+FFFD', '\ude00\ud83d', '"\ufffd\ufffd"'],
    ['a high surrogate before a valid pair becomes one U+FFFD', '\ud800\ud83d\ude00', '"\ufffd😀"'],
    ['escapes at both ends', '"x<', '"\\"x\\u003c"'],
  ])('%s', (_name, input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });

  // Property: an independent oracle. JSON.stringify of a well-formed string escapes exactly like
  // Go >= 1.22 except for Go's HTML-safe set (< > &) and U+2028/U+2029.
  const referenceGoJsonString = (value: string): string =>
    JSON.stringify(Buffer.from(value, 'utf8').toString('utf8')).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const anyCodeUnitString = fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
      fc.constantFrom('"', '\\', '<', '>', '&', '\u2028', '\u2029', '\b', '\f', '\u007f', '\ud800', '\udfff'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
    ),
    maxLength: 40,
  });

  test('GIVEN any string (lone surrogates included) THEN the encoding matches the JSON.stringify-based oracle', () => {
    fc.assert(
      fc.property(anyCodeUnitString, (value) => {
        expect(goJsonString(value)).toBe(referenceGoJsonString(value));
      }),
      { numRuns: 2000 },
    );
  });

  test('GIVEN any string THEN the encoding parses back to its UTF-8 round trip and contains no character Go escapes', () => {
    fc.assert(
      fc.property(anyCodeUnitString, (value) => {
        const encoded = goJsonString(value);
        expect(JSON.parse(encoded)).toBe(Buffer.from(value, 'utf8').toString('utf8'));
        expect(encoded).not.toMatch(/[\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('dockerConfigJson', () => {
  test('GIVEN only username and password THEN the default server is used, email is omitted, keys are in kubectl order', () => {
    // WHEN
    const json = dockerConfigJson({ username: 'u', password: 'p' });
    // THEN
    expect(DEFAULT_DOCKER_SERVER).toBe('https://index.docker.io/v1/');
    expect(json).toBe('{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"dTpw"}}}');
  });

  test('GIVEN server and email THEN email comes between password and auth, with no whitespace or trailing newline', () => {
    const json = dockerConfigJson({
      server: 'registry.example.com:5000',
      username: 'robot',
      password: 's3cret',
      email: 'ops@example.com',
    });
    expect(json).toBe(
      '{"auths":{"registry.example.com:5000":{"username":"robot","password":"s3cret","email":"ops@example.com","auth":"cm9ib3Q6czNjcmV0"}}}',
    );
  });

  test('GIVEN an empty email THEN the email key is omitted (omitempty)', () => {
    expect(dockerConfigJson({ username: 'u', password: 'p', email: '' })).toBe(
      '{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"dTpw"}}}',
    );
  });

  test('GIVEN characters to escape in every field THEN each field is Go-escaped and auth is base64 of the raw UTF-8', () => {
    const json = dockerConfigJson({ server: 'r<1>', username: 'a"b', password: 'c&é', email: 'x\ny' });
    expect(json).toBe(
      '{"auths":{"r\\u003c1\\u003e":{"username":"a\\"b","password":"c\\u0026é","email":"x\\ny","auth":"' +
        Buffer.from('a"b:c&é', 'utf8').toString('base64') +
        '"}}}',
    );
    expect(Buffer.from('a"b:c&é', 'utf8').toString('base64')).toBe('YSJiOmMmw6k=');
  });

  test('GIVEN a lone surrogate THEN auth and the JSON both carry U+FFFD, as Node passes it to kubectl', () => {
    expect(dockerConfigJson({ username: 'u', password: '\ud800' })).toBe(
      '{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"\ufffd","auth":"dTrvv70="}}}',
    );
  });

  describe('validation', () => {
    const secret = 'hunter2-do-not-leak';
    test.each<[string, unknown, string]>([
      ['an empty username', { username: '', password: secret }, 'PullSecret credentials: username must not be empty'],
      ['an empty password', { username: 'u', password: '' }, 'PullSecret credentials: password must not be empty'],
      ['an empty server', { server: '', username: 'u', password: secret }, 'PullSecret credentials: server must not be empty'],
      ['a missing username', { password: secret }, 'PullSecret credentials: username must be a string, got undefined'],
      ['a missing password', { username: 'u' }, 'PullSecret credentials: password must be a string, got undefined'],
      ['a numeric password', { username: 'u', password: 12345 }, 'PullSecret credentials: password must be a string, got number'],
      ['a null username', { username: null, password: secret }, 'PullSecret credentials: username must be a string, got null'],
      ['a non-string email', { username: 'u', password: secret, email: 42 }, 'PullSecret credentials: email must be a string, got number'],
      ['no credentials object', undefined, 'PullSecret credentials: must be an object with username and password'],
    ])('GIVEN %s WHEN encoding THEN it throws naming the field, without the password', (_name, credentials, message) => {
      const attempt = () => dockerConfigJson(credentials as DockerRegistryCredentials);
      expect(attempt).toThrow(new Error(message));
      expect(attempt).not.toThrow(secret);
      expect(attempt).not.toThrow('12345');
    });
  });
});

describe('dockerConfigJson compared byte-for-byte with kubectl create secret docker-registry', () => {
  let kubectl: string;
  beforeAll(() => {
    kubectl = requireTool('kubectl', 'apt-get install -y kubernetes-client  # or any kubectl client');
  });

  /** Runs kubectl offline (client dry run, no kubeconfig) and returns the decoded `.dockerconfigjson` bytes. */
  function kubectlDockerConfigJson(credentials: DockerRegistryCredentials): Buffer {
    const args = [
      'create',
      'secret',
      'docker-registry',
      'pull-secret',
      `--docker-username=${credentials.username}`,
      `--docker-password=${credentials.password}`,
    ];
    if (credentials.server !== undefined) args.push(`--docker-server=${credentials.server}`);
    if (credentials.email !== undefined) args.push(`--docker-email=${credentials.email}`);
    args.push('--dry-run=client', '-o', 'json');
    const stdout = execFileSync(kubectl, args, {
      encoding: 'utf8',
      // No kubeconfig: nothing points kubectl at a cluster (a client dry run makes no API call anyway).
      env: { ...process.env, KUBECONFIG: '/nonexistent/modelcar-test/kubeconfig' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const secret = JSON.parse(stdout) as { type: string; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    return Buffer.from(secret.data['.dockerconfigjson'], 'base64');
  }

  const longPassword = Array.from({ length: 500 }, (_, i) => String.fromCharCode(0x21 + ((i * 7) % 94))).join('');
  const everyAsciiButNul = Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join('');

  test('the generated test inputs are what their names say', () => {
    expect(longPassword).toHaveLength(500);
    expect(longPassword).toMatch(/"/);
    expect(longPassword).toMatch(/\\/);
    expect(everyAsciiButNul).toHaveLength(127);
  });

  test.each<[string, DockerRegistryCredentials]>([
    ['plain credentials', { server: 'registry.example.com', username: 'robot', password: 's3cret' }],
    ['quotes and backslashes', { server: 'quay.io', username: 'we"ird\\user', password: 'pa"ss\\wo\\"rd\\' }],
    ['< > & in the password', { server: 'quay.io', username: 'u', password: '<script>&amp;</script>' }],
    ['non-ASCII (é, 日本, emoji)', { server: 'quay.io', username: 'josé', password: '日本語-é-😀-€' }],
    ['U+2028 and U+2029', { server: 'quay.io', username: 'u', password: 'a\u2028b\u2029c' }],
    ['control characters \\b \\f \\t \\n \\r and others, DEL', { server: 'quay.io', username: 'u\t', password: '\b\f\t\n\r\u0001\u000b\u001f\u007f' }],
    ['every ASCII character except NUL', { server: 'quay.io', username: 'u', password: everyAsciiButNul }],
    ['a 500-character password', { server: 'quay.io', username: 'robot$ci', password: longPassword }],
    ['a password containing colons', { server: 'quay.io', username: 'user', password: 'a:b::c:' }],
    ['a password that looks like a flag', { server: 'quay.io', username: 'u', password: '--docker-server=evil x y' }],
    ['a server with a port', { server: 'registry.example.com:5000', username: 'u', password: 'p' }],
    ['a server URL with characters to escape', { server: 'https://r"e<g>&.example/v2/', username: 'u', password: 'p' }],
    ['the default server (no --docker-server)', { username: 'robot', password: 's3cret' }],
    ['with an email', { server: 'quay.io', username: 'u', password: 'p', email: 'ops@example.com' }],
    ['with an empty email (omitted)', { server: 'quay.io', username: 'u', password: 'p', email: '' }],
    ['an email with < > &', { username: 'u', password: 'p', email: 'a<b>&c@example.com' }],
    ['lone surrogates (Node hands kubectl U+FFFD)', { server: 'quay.io', username: 'u\udc00', password: 'a\ud800b\ud83d' }],
    ['U+FFFD next to a lone surrogate and a valid pair', { server: 'quay.io', username: 'u', password: '\ufffd\ud800\ud83d\ude00' }],
  ])('GIVEN %s WHEN both encode them THEN the bytes are identical', (_name, credentials) => {
    // WHEN
    const expected = kubectlDockerConfigJson(credentials);
    const actual = dockerConfigJson(credentials);
    // THEN
    expect(actual).toBe(expected.toString('utf8'));
    expect(Buffer.from(actual, 'utf8').equals(expected)).toBe(true);
  });
});
