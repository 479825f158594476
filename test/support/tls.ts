/** A private CA and a server certificate for 127.0.0.1, made with openssl for a test (as a company's own CA would be). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { requireTool } from './tools';

export interface TestCertificates {
  /** The CA's certificate, PEM, and its file. */
  readonly ca: string;
  readonly caFile: string;
  /** The server's key and certificate (signed by the CA, for IP 127.0.0.1), PEM. */
  readonly key: string;
  readonly cert: string;
}

/** Makes the CA and the server certificate in `dir` (a folder of the test's own). */
export function makeCertificates(dir: string): TestCertificates {
  const openssl = requireTool('openssl', 'apt-get install -y openssl');
  const file = (name: string) => path.join(dir, name);
  const run = (...args: string[]) => execFileSync(openssl, args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=modelcar test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  run('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'));
  return { ca: fs.readFileSync(file('ca.pem'), 'utf8'), caFile: file('ca.pem'), key: fs.readFileSync(file('server.key'), 'utf8'), cert: fs.readFileSync(file('server.pem'), 'utf8') };
}
