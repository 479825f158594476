import { createHash } from 'crypto';

/** The SHA-256 of data, in hex: what configs pin and stage reports. */
export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The SHA-256 of data as OCI descriptors and the lock file write it: `sha256:<hex>`. */
export const ociDigest = (data: Buffer | string): string => `sha256:${sha256(data)}`;
