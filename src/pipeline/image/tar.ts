/**
 * Tar headers for model image layers, written the way buildah writes a COPY layer, so that modelcar's layers are
 * byte for byte (and so by diff_id) the layers `buildah build --timestamp=0` makes from the same files.
 *
 * buildah writes layers with Go's archive/tar (golang/go src/archive/tar/writer.go `WriteHeader`): a USTAR header
 * when every field fits (names up to 100 bytes, or 256 split at a `/` into prefix and name; ASCII; sizes below
 * 8 GiB), else a PAX extended header (`PaxHeaders.0/<name>`, records sorted by key) before a header whose fields
 * that do not fit are left empty. Modes carry the file type bits (040755, 0100444), owner 0:0 with no user or group
 * names, modification time 0, no xattrs; the archive ends with two zero blocks and no padding to a record size.
 * In the header after a PAX header, a field that does not fit is written as Go 1.19's formatter (which builds Debian
 * 12's buildah 1.28) writes it: a name cut to its first 100 bytes, a size of 8 GiB or more as 0. Later Go releases
 * leave a long name empty; readers take the PAX records either way.
 */

/** The size of a tar block. */
export const BLOCK = 512;

/** The end of an archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/** One entry of a model layer. */
export interface TarEntry {
  /** The path in the image, without a leading `/` (`models/1/model.onnx`), without a trailing `/` for folders. */
  readonly name: string;
  readonly type: 'file' | 'dir';
  /** Permission bits, e.g. 0o444. */
  readonly mode: number;
  /** Bytes of a file; 0 for a folder. */
  readonly size: number;
}

const TYPE_BITS = { file: 0o100000, dir: 0o040000 } as const;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
/** Octal fields hold one digit less than their width (the last byte is a NUL): 11 digits of size is 8 GiB - 1. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/** The header block(s) of an entry: a USTAR block, or a PAX extended header and a block. */
export function tarHeader(entry: TarEntry): Buffer {
  const name = entry.type === 'dir' ? `${entry.name}/` : entry.name;
  const size = entry.type === 'dir' ? 0 : entry.size;
  const ascii = isAscii(name);
  const split = splitUstarPath(name);
  const fitsName = ascii && (Buffer.byteLength(name) <= NAME_SIZE || split !== undefined);
  const fitsSize = size <= MAX_OCTAL_SIZE;
  const mode = TYPE_BITS[entry.type] | entry.mode;
  if (fitsName && fitsSize) {
    const block = Buffer.alloc(BLOCK);
    const [prefix, rest] = Buffer.byteLength(name) <= NAME_SIZE ? ['', name] : split!;
    fillCommon(block, rest, mode, size, entry.type === 'dir' ? '5' : '0');
    putString(block, 345, PREFIX_SIZE, prefix);
    finish(block);
    return block;
  }
  // PAX: the records that do not fit, sorted by key, in a file of their own.
  const records: [string, string][] = [];
  if (!fitsName) records.push(['path', name]);
  if (!fitsSize) records.push(['size', String(size)]);
  records.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const data = Buffer.from(records.map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  const paxName = paxHeaderName(name);
  const pax = Buffer.alloc(BLOCK);
  putString(pax, 0, NAME_SIZE, paxName);
  putOctal(pax, 100, 8, 0);
  putOctal(pax, 108, 8, 0);
  putOctal(pax, 116, 8, 0);
  putOctal(pax, 124, 12, data.length);
  putOctal(pax, 136, 12, 0);
  pax.write('x', 156, 'latin1');
  finish(pax);
  const body = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK);
  data.copy(body);
  // The header itself: names and numbers that do not fit are cut (the PAX records hold them whole).
  const block = Buffer.alloc(BLOCK);
  fillCommon(block, '', mode, 0, entry.type === 'dir' ? '5' : '0');
  block.fill(0, 0, NAME_SIZE);
  cutString(block, 0, NAME_SIZE, toAscii(name));
  putOctal(block, 124, 12, fitsSize ? size : 0);
  finish(block);
  return Buffer.concat([pax, body, block]);
}

/** Zero bytes that pad a file of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function fillCommon(block: Buffer, name: string, mode: number, size: number | undefined, type: string): void {
  putString(block, 0, NAME_SIZE, name);
  putOctal(block, 100, 8, mode);
  putOctal(block, 108, 8, 0); // uid
  putOctal(block, 116, 8, 0); // gid
  if (size !== undefined) putOctal(block, 124, 12, size);
  putOctal(block, 136, 12, 0); // mtime
  block.write(type, 156, 'latin1');
  putOctal(block, 329, 8, 0); // devmajor
  putOctal(block, 337, 8, 0); // devminor
}

/** Sets the USTAR magic and the checksum (6 octal digits, a NUL, a space), as Go's `setFormat`. */
function finish(block: Buffer): void {
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  putOctal(block, 148, 7, sum);
  block[155] = 0x20;
}

/** An octal number, zero-padded to the field's width less one, then a NUL. */
function putOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width} bytes`);
  block.write(`${digits}\0`, offset, 'latin1');
}

/** Go 1.19's `formatString`: as many bytes as fit, then a NUL when there is room. */
function cutString(block: Buffer, offset: number, width: number, value: string): void {
  Buffer.from(value, 'latin1').copy(block, offset, 0, width);
}

function putString(block: Buffer, offset: number, width: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > width) throw new Error(`tar: "${value}" does not fit in ${width} bytes`);
  bytes.copy(block, offset);
}

function isAscii(value: string): boolean {
  return /^[\x01-\x7f]*$/.test(value);
}

/** Go's `toASCII`: the characters that are not ASCII (and NUL) dropped. */
function toAscii(value: string): string {
  return value.replace(/[^\x01-\x7f]/g, '');
}

/** Go's `splitUSTARPath`: a name longer than 100 bytes split at a `/` into a prefix (<= 155) and a name (<= 100). */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const suffix = name.length - i - 1;
  if (i <= 0 || suffix > NAME_SIZE || suffix === 0 || i > PREFIX_SIZE) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Go's `formatPAXRecord`: `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  let size = rest + String(rest).length;
  if (String(size).length + rest !== size) size = String(size).length + rest;
  return `${size} ${key}=${value}\n`;
}

/**
 * Go's name for a PAX header, `path.Join(dir, "PaxHeaders.0", file)` after `path.Split(name)`: `a/PaxHeaders.0/b`
 * for a file `a/b`, `a/b/PaxHeaders.0` for a folder `a/b/`; ASCII only, at most 100 bytes, no trailing `/`.
 */
function paxHeaderName(name: string): string {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const file = name.slice(slash + 1);
  const joined = file ? `${dir}PaxHeaders.0/${file}` : `${dir}PaxHeaders.0`;
  return toAscii(joined).slice(0, NAME_SIZE).replace(/\/+$/, '');
}
