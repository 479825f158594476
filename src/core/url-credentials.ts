/**
 * Credentials in URLs: a user name and password (`https://user:pass@host/...`), and the query parameters that carry
 * a token or a signature (`?token=`, presigned S3 and GCS URLs, Azure SAS `sig`). A model file URL is written into
 * the committed `build.sh`, into the image's labels and into messages and CI logs, so modelcar refuses such URLs in
 * a config unless the config says they are meant (`allowCredentialsInUrls`), and never prints the credentials of any
 * URL, redirects included: {@link redactUrl}.
 */

/** Query parameter names that carry credentials: tokens, keys, passwords, signatures (compared without case). */
const CREDENTIAL_PARAMETER = /(^|[-_.])(token|secret|password|passwd|pwd|sig|signature|credential|credentials|apikey|api[-_]key|auth|authorization|accesskeyid)$|^(awsaccesskeyid|googleaccessid|x-amz-security-token|x-ms-signature)$/i;

/** What stands for a credential in a shown URL. */
export const REDACTED = 'REDACTED';

/** The names of the query parameters of a URL that look like credentials, in order. */
export function credentialParameters(url: URL): string[] {
  return [...new Set([...url.searchParams.keys()].filter((k) => CREDENTIAL_PARAMETER.test(k)))];
}

/**
 * Why a URL carries credentials (`"user:password@"`, `the query parameter "token"`), or undefined when it carries
 * none.
 */
export function urlCredentials(url: URL): string | undefined {
  if (url.username || url.password) return '"user:password@"';
  const params = credentialParameters(url);
  if (params.length === 1) return `the query parameter "${params[0]}", which looks like a token or a signature`;
  if (params.length > 1) return `the query parameters ${params.map((p) => `"${p}"`).join(', ')}, which look like tokens or signatures`;
  return undefined;
}

/**
 * A URL as it may be shown: its user name and password, and the values of credential-looking query parameters,
 * replaced by `REDACTED`. A URL without credentials is returned as it is, byte for byte; text that is not a URL too.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  const params = credentialParameters(url);
  if (!url.username && !url.password && params.length === 0) return text;
  if (url.username) url.username = REDACTED;
  if (url.password) url.password = REDACTED;
  if (params.length) {
    // Rebuilt by hand: URLSearchParams would re-encode the other parameters.
    const query = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = decodeName(eq === -1 ? pair : pair.slice(0, eq));
        return CREDENTIAL_PARAMETER.test(name) ? `${eq === -1 ? pair : pair.slice(0, eq)}=${REDACTED}` : pair;
      })
      .join('&');
    url.search = `?${query}`;
  }
  return url.href;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Replaces every http(s) URL in a text by its {@link redactUrl redacted} form (for messages that quote URLs). */
export function redactUrls(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/gi, (m) => {
    // Trailing punctuation belongs to the sentence, not the URL.
    const tail = /[).,;:]+$/.exec(m)?.[0] ?? '';
    return redactUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}
