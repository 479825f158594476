/**
 * The `.dockerconfigjson` payload of a `kubernetes.io/dockerconfigjson` Secret, byte-for-byte as
 * `kubectl create secret docker-registry` writes it.
 *
 * Why byte-for-byte: the generated YAML must not churn when someone compares it with (or replaces
 * it by) a Secret made with kubectl, and `kubectl diff` / GitOps tools compare the base64 payload,
 * so a different key order, spacing or escaping would show up as a spurious change.
 *
 * The reference is kubectl's `handleDockerCfgJSONContent`
 * (k8s.io/kubectl/pkg/cmd/create/create_secret_docker.go): Go's `json.Marshal` of
 * `{"auths": {server: DockerConfigEntry}}` where every `DockerConfigEntry` field
 * (username, password, email, auth) is tagged `omitempty`.
 *
 * @module
 */

import { PropError } from './errors';

/**
 * The registry kubectl uses when --docker-server is not given.
 *
 * This is Docker Hub's legacy v1 key; Docker clients and the kubelet's credential lookup map it to
 * Docker Hub, so it serves images with no registry host (`docker.io/...`).
 */
export const DEFAULT_DOCKER_SERVER = 'https://index.docker.io/v1/';

/** Credentials for one registry, as `kubectl create secret docker-registry` takes them. */
export interface DockerRegistryCredentials {
  /**
   * Registry host (optionally with port, e.g. `registry.example.com:5000`) or URL; it becomes the key
   * under `auths`, written as given (kubectl does not normalise it either).
   *
   * @default DEFAULT_DOCKER_SERVER - what kubectl uses without --docker-server (Docker Hub)
   */
  readonly server?: string;
  /** Registry user name; must not be empty (kubectl refuses an empty one too). */
  readonly username: string;
  /** Registry password or token; must not be empty (kubectl refuses an empty one too). */
  readonly password: string;
  /**
   * Email, only kept for old registries and docker clients that asked for it.
   *
   * @default - no email (the key is omitted, as kubectl does); an empty string is omitted as well,
   * because kubectl's field is `omitempty`
   */
  readonly email?: string;
}

/**
 * What Go's encoder writes for each ASCII code unit, or `undefined` when it writes it as is.
 * Go >= 1.22 uses the short forms `\b` and `\f` (checked against kubectl built with go1.23);
 * other control characters use lowercase `\u00xx`; `<`, `>` and `&` are escaped because
 * `json.Marshal` HTML-escapes. DEL (0x7f) is written raw.
 */
const ASCII_ESCAPES: ReadonlyArray<string | undefined> = (() => {
  const table = new Array<string | undefined>(0x80).fill(undefined);
  for (let c = 0; c < 0x20; c++) {
    table[c] = `\\u00${c.toString(16).padStart(2, '0')}`;
  }
  table[0x08] = '\\b';
  table[0x09] = '\\t';
  table[0x0a] = '\\n';
  table[0x0c] = '\\f';
  table[0x0d] = '\\r';
  table[0x22] = '\\"';
  table[0x5c] = '\\\\';
  table[0x3c] = '\\u003c';
  table[0x3e] = '\\u003e';
  table[0x26] = '\\u0026';
  return table;
})();

/**
 * Encodes a string as Go's encoding/json.Marshal does (HTML-safe escaping), quotes included.
 *
 * - `"` and `\` are backslash-escaped; `\n`, `\r`, `\t`, `\b`, `\f` use their short forms;
 *   every other character below U+0020 becomes `\u00xx` (lowercase hex).
 * - `<`, `>`, `&` become `\u003c`, `\u003e`, `\u0026`; U+2028 and U+2029 become `\u2028`, `\u2029`.
 * - A lone surrogate (a JS string that is not valid UTF-16) becomes a raw U+FFFD. That is what the
 *   string turns into when Node encodes it as UTF-8 (for a Buffer, a file or kubectl's argv), and
 *   Go then writes that valid U+FFFD raw. (Go writes the escape `\ufffd` only for invalid UTF-8
 *   bytes, which a JS string cannot hold.)
 * - Everything else, DEL and all other non-ASCII characters included, is written as is.
 *
 * Single pass over the UTF-16 code units; runs of characters that need no escaping are copied
 * with one `slice`.
 *
 * @param value - any string
 * @returns the JSON string literal, as a JS string whose UTF-8 encoding is Go's output bytes
 */
export function goJsonString(value: string): string {
  let out = '"';
  let start = 0;
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x80) {
      escaped = ASCII_ESCAPES[c];
      if (escaped === undefined) continue;
    } else if (c < 0xd800) {
      if (c !== 0x2028 && c !== 0x2029) continue;
      escaped = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < length) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++; // a valid surrogate pair: copied raw with the rest of the run
          continue;
        }
      }
      escaped = '\ufffd';
    } else {
      continue;
    }
    out += value.slice(start, i) + escaped;
    start = i + 1;
  }
  return out + value.slice(start) + '"';
}

/**
 * The exact bytes (as a JS string) of the `.dockerconfigjson` that `kubectl create secret docker-registry` writes.
 *
 * Shape: `{"auths":{SERVER:{"username":U,"password":P,"email":E,"auth":A}}}`, keys in that order, no
 * whitespace, no trailing newline, `"email"` omitted when absent or empty. `A` is standard base64 (with
 * padding) of the UTF-8 bytes of `username:password`, as kubectl computes it (it does not reject a `:`
 * in the username, so neither does this).
 *
 * Encode the result with `Buffer.from(json, 'utf8')` (or base64 it that way for a Secret's `data`) to
 * get kubectl's bytes.
 *
 * @param credentials - registry, user name, password and optional email
 * @returns the `.dockerconfigjson` document
 * @throws PropError when username, password or an explicitly given server is empty or not a string
 *   (kubectl refuses these too); the message names the field and never contains the password
 */
export function dockerConfigJson(credentials: DockerRegistryCredentials): string {
  if (credentials === null || typeof credentials !== 'object') {
    throw credentialsError('must be an object with username and password');
  }
  const server = credentials.server ?? DEFAULT_DOCKER_SERVER;
  const { username, password, email } = credentials;
  requireNonEmptyString('server', server);
  requireNonEmptyString('username', username);
  requireNonEmptyString('password', password);
  if (email !== undefined && typeof email !== 'string') {
    throw credentialsError(`email must be a string, got ${describeType(email)}`);
  }

  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return (
    `{"auths":{${goJsonString(server)}:{"username":${goJsonString(username)}` +
    `,"password":${goJsonString(password)}` +
    (email ? `,"email":${goJsonString(email)}` : '') +
    `,"auth":"${auth}"}}}`
  );
}

/** Throws when `value` is not a non-empty string; the message holds the field name and type, never the value. */
function requireNonEmptyString(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') {
    throw credentialsError(`${field} must be a string, got ${describeType(value)}`);
  }
  if (value.length === 0) {
    throw credentialsError(`${field} must not be empty`);
  }
}

function describeType(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** A problem with the credentials of a PullSecret; it carries no value, so that no credential reaches a message or a log. */
function credentialsError(message: string): PropError {
  return new PropError({ construct: 'PullSecret', path: ['credentials'], value: undefined, message });
}
