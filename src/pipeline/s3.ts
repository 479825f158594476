/**
 * Model files on S3-compatible storage (`s3://bucket/key`): AWS S3, and the S3 API of MinIO, Ceph RGW, OpenShift
 * Data Foundation and the like. A file is downloaded over plain https from a presigned URL (AWS Signature Version 4,
 * query string), so it goes through the same download as any URL: streamed, hashed, resumable. The credentials are
 * read from the environment, under the names an OpenShift AI data connection gives them (in-cluster builds mount
 * such a Secret), and never leave the process: the presigned URL carries a signature that expires, and messages show
 * the `s3://` URL only.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { createHash, createHmac } from 'crypto';

/** What signs a request: an access key, its secret, and a session token for temporary credentials. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** @default - none (long-term credentials) */
  readonly sessionToken?: string;
}

/** Where an s3:// URL is read from, and with which credentials. */
export interface S3Access {
  readonly credentials: S3Credentials;
  /** The endpoint, e.g. `https://s3.us-east-1.amazonaws.com` or `https://minio.example.com:9000`. */
  readonly endpoint: string;
  readonly region: string;
}

/** The region when none is set: the one AWS's own tools fall back to. */
export const DEFAULT_S3_REGION = 'us-east-1';

/** How long a presigned URL stays valid: long enough for a download of many GB, resumed after cuts. */
export const PRESIGN_SECONDS = 12 * 3600;

/**
 * The storage and credentials for s3:// sources from the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`; the endpoint from `AWS_S3_ENDPOINT` (OpenShift AI data connections) or `AWS_ENDPOINT_URL_S3`
 * / `AWS_ENDPOINT_URL` (AWS's tools), else AWS S3 of the region; the region from `AWS_DEFAULT_REGION` or `AWS_REGION`.
 * Returns the problem, naming what to set, when something is missing.
 */
export function s3AccessFromEnv(env: NodeJS.ProcessEnv): S3Access | string {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return 'no credentials for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_S3_ENDPOINT for storage other than AWS S3), as an OpenShift AI data connection names them';
  }
  const region = env.AWS_DEFAULT_REGION || env.AWS_REGION || DEFAULT_S3_REGION;
  const given = env.AWS_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  let endpoint = given ?? `https://s3.${region}.amazonaws.com`;
  if (!/^https?:\/\//.test(endpoint)) endpoint = `https://${endpoint}`;
  try {
    new URL(endpoint);
  } catch {
    return `the S3 endpoint ${JSON.stringify(given)} is not a URL; set AWS_S3_ENDPOINT to e.g. https://minio.example.com:9000`;
  }
  return { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined }, endpoint: endpoint.replace(/\/+$/, ''), region };
}

/** The https URL of an object, path-style (`<endpoint>/<bucket>/<key>`), which every S3-compatible storage serves. */
export function s3ObjectUrl(source: string, endpoint: string): URL {
  const url = new URL(source);
  const key = url.pathname.slice(1);
  return new URL(`${endpoint}/${url.hostname}/${key.split('/').map(encodeSegment).join('/')}`);
}

/** A path segment of a key, URI-encoded as SigV4 wants it (see {@link uriEncode}), once decoded when it was encoded. */
function encodeSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // not percent-encoded: as it is
  }
  return uriEncode(decoded);
}

/** URI-encodes text as SigV4 wants it: everything but `A-Za-z0-9-._~`, as UTF-8 bytes. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * A URL that GETs the object at `url` for `seconds`, signed with AWS Signature Version 4 in its query string
 * (service `s3`, payload unsigned, the host the one signed header).
 * @param now the signing time (the URL is valid from then)
 */
export function presignGet(url: URL, credentials: S3Credentials, region: string, now: Date, seconds: number = PRESIGN_SECONDS): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = stamp.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const query: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', stamp],
    ['X-Amz-Expires', String(seconds)],
    ...(credentials.sessionToken ? ([['X-Amz-Security-Token', credentials.sessionToken]] as [string, string][]) : []),
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonicalQuery = query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', url.pathname, canonicalQuery, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `${url.origin}${url.pathname}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}
