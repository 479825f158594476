/**
 * A real HTTP server on 127.0.0.1 for download tests, with the cases downloads meet: files, redirects, errors,
 * responses cut short, stalls, and generated bodies of any size (streamed, never held in memory).
 */
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';


/**
 * How long a cut waits after its bytes are sent before it drops the connection: the client reads what arrived before
 * it learns of the cut (a client drops what it has not read yet when the connection breaks).
 */
const CUT_DELAY_MS = 100;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The paths requested so far, in order. */
  readonly requests: string[];
  /** The requests so far with their headers, in order. */
  readonly log: { readonly url: string; readonly headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** What the server answers for a path. */
export type Route =
  | { readonly kind: 'file'; readonly body: Buffer; readonly chunked?: boolean }
  | { readonly kind: 'redirect'; readonly to: string; readonly status?: number }
  | { readonly kind: 'status'; readonly status: number }
  /** Announces `body.length` bytes, sends `sent` of them, then closes the connection. */
  | { readonly kind: 'truncated'; readonly body: Buffer; readonly sent: number }
  /** Announces `size` bytes, sends `sent`, then sends nothing more (until the client gives up). */
  | { readonly kind: 'stall'; readonly size: number; readonly sent: number }
  /** `size` zero bytes, generated in chunks. */
  | { readonly kind: 'zeros'; readonly size: number }
  /**
   * `body`, with its ETag, honouring `Range: bytes=N-` (206, `Content-Range`) unless `ranges` is false. Each request
   * first takes the next of `failures`: cut after `cutAfter` bytes of what it sends, or answer `status` (with
   * `Retry-After` seconds).
   */
  | { readonly kind: 'ranged'; readonly body: Buffer; readonly ranges?: boolean; readonly failures?: ({ readonly cutAfter: number } | { readonly status: number; readonly retryAfter?: number })[] }
  /**
   * Announces `size` bytes and sends `chunk` bytes every `everyMs` (a server that trickles); with `cutAfter`, closes
   * the connection after that many chunks.
   */
  | { readonly kind: 'drip'; readonly size: number; readonly chunk: number; readonly everyMs: number; readonly cutAfter?: number };

/**
 * Starts a server on a free port of 127.0.0.1 serving `routes` (404 elsewhere); with `tls` (a key and certificate,
 * PEM), over https.
 */
export function startServer(routes: Record<string, Route>, options: { tls?: { key: string; cert: string } } = {}): Promise<TestServer> {
  const requests: string[] = [];
  const log: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const sockets = new Set<import('net').Socket>();
  const failures = new Map<Route, number>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    requests.push(url);
    log.push({ url, headers: req.headers });
    const route = routes[url];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    switch (route.kind) {
      case 'file':
        res.writeHead(200, route.chunked ? {} : { 'content-length': String(route.body.length) });
        res.end(route.body);
        return;
      case 'redirect':
        res.writeHead(route.status ?? 302, { location: route.to }).end();
        return;
      case 'status':
        res.writeHead(route.status).end(`status ${route.status}\n`);
        return;
      case 'truncated':
        res.writeHead(200, { 'content-length': String(route.body.length) });
        res.write(route.body.subarray(0, route.sent), () => setTimeout(() => res.socket?.destroy(), CUT_DELAY_MS));
        return;
      case 'stall':
        res.writeHead(200, { 'content-length': String(route.size) });
        res.write(Buffer.alloc(route.sent));
        return;
      case 'drip': {
        res.writeHead(200, { 'content-length': String(route.size) });
        let sent = 0;
        const timer = setInterval(() => {
          if (route.cutAfter !== undefined && sent === route.cutAfter) {
            clearInterval(timer);
            res.socket?.destroy();
            return;
          }
          sent++;
          res.write(Buffer.alloc(route.chunk, 7));
        }, route.everyMs);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'zeros': {
        res.writeHead(200, { 'content-length': String(route.size) });
        const chunk = Buffer.alloc(1024 * 1024);
        let left = route.size;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      case 'ranged': {
        const used = failures.get(route) ?? 0;
        failures.set(route, used + 1);
        const failure = route.failures?.[used];
        if (failure && 'status' in failure) {
          res.writeHead(failure.status, failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) }).end(`status ${failure.status}\n`);
          return;
        }
        const etag = `"${route.body.length}-v1"`;
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        const start = route.ranges !== false && range && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag) ? Number(range[1]) : 0;
        const headers: http.OutgoingHttpHeaders = { etag, 'content-length': String(route.body.length - start) };
        if (route.ranges !== false) headers['accept-ranges'] = 'bytes';
        if (start > 0) headers['content-range'] = `bytes ${start}-${route.body.length - 1}/${route.body.length}`;
        res.writeHead(start > 0 ? 206 : 200, headers);
        if (failure) res.write(route.body.subarray(start, Math.max(start, failure.cutAfter)), () => setTimeout(() => res.socket?.destroy(), CUT_DELAY_MS));
        else res.end(route.body.subarray(start));
        return;
      }
    }
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
        requests,
        log,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
