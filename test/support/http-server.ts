/**
 * A real HTTP server on 127.0.0.1 for download tests, with the cases downloads meet: files, redirects, errors,
 * responses cut short, stalls, and generated bodies of any size (streamed, never held in memory).
 */
import * as http from 'http';
import { AddressInfo } from 'net';

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The paths requested so far, in order. */
  readonly requests: string[];
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
   * Announces `size` bytes and sends `chunk` bytes every `everyMs` (a server that trickles); with `cutAfter`, closes
   * the connection after that many chunks.
   */
  | { readonly kind: 'drip'; readonly size: number; readonly chunk: number; readonly everyMs: number; readonly cutAfter?: number };

/** Starts a server on a free port of 127.0.0.1 serving `routes` (404 elsewhere). */
export function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const requests: string[] = [];
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
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
        res.write(route.body.subarray(0, route.sent), () => res.socket?.destroy());
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
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
