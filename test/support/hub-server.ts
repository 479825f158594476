/**
 * A Hugging Face Hub on 127.0.0.1 for tests: the API and file answers the hub gives, as huggingface_hub reads them
 * (huggingface/huggingface_hub, src/huggingface_hub: hf_api.py `model_info` -> GET /api/models/{repo}/revision/{rev}
 * with `sha`; `list_repo_tree` -> GET /api/models/{repo}/tree/{rev}?recursive=true, entries `type`, `oid`, `size`,
 * `path`, `lfs: {oid, size, pointerSize}`, pages linked by `Link: <...>; rel="next"` (utils/_pagination.py);
 * file_download.py: GET /{repo}/resolve/{rev}/{path} answers the file with `X-Repo-Commit` and `ETag`, or, for an
 * LFS file, a 302 to the CDN host with `X-Linked-Etag` (its SHA-256) and `X-Linked-Size`; utils/_http.py
 * `hf_raise_for_status`: errors as `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and
 * `X-Error-Message`, with the messages the hub gives: 401 for a missing repository without a token, "Access to model
 * X is restricted. You must have access to it and be authenticated to access it. Please log in." (401) or "... is
 * restricted and you are not in the authorized list. Visit https://huggingface.co/X to ask for access." (403) for a
 * gated one, as quoted in huggingface_hub's errors.py `GatedRepoError` and users' reports).
 *
 * The CDN is a second server on another port (another origin, as cdn-lfs.huggingface.co is): it serves LFS files by
 * their SHA-256, takes Range requests, and can cut a download short a given number of times. Every request is
 * logged with the Authorization header it carried, so tests can prove the token never reaches the CDN.
 */
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo, Socket } from 'net';
import { sha256 } from './digest';

/** A repository the fake hub serves. */

/**
 * How long a cut waits after its bytes are sent before it drops the connection: the client reads what arrived before
 * it learns of the cut (a client drops what it has not read yet when the connection breaks).
 */
const CUT_DELAY_MS = 100;

export interface FakeRepo {
  /** `namespace/name`. */
  readonly id: string;
  /** Commits by id, each with its files. The first is the one branch `main` points at, unless `branches` says. */
  readonly commits: Readonly<Record<string, Readonly<Record<string, Buffer>>>>;
  /** Branch and tag names -> commit. @default { main: the first commit } */
  readonly branches?: Readonly<Record<string, string>>;
  /** Files stored in LFS (by path). @default those of 1000 bytes or more */
  readonly lfs?: (path: string, content: Buffer) => boolean;
  /** Gated: files need a token in `grantedTokens`. @default false */
  readonly gated?: boolean;
  /** Private: invisible without a token in `grantedTokens`. @default false */
  readonly private?: boolean;
  /** Tokens granted access to a gated or private repository. */
  readonly grantedTokens?: readonly string[];
}

export interface HubServerOptions {
  readonly repos: readonly FakeRepo[];
  /** Tokens the hub knows (others are refused with 401 "Invalid credentials in Authorization header"). */
  readonly validTokens?: readonly string[];
  /** Tree entries per page. @default 1000 (the hub's, without expand) */
  readonly pageSize?: number;
}

export interface LoggedRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly range?: string;
}

export interface HubServer {
  /** `http://127.0.0.1:<port>`: HF_ENDPOINT. */
  readonly endpoint: string;
  /** The CDN's origin. */
  readonly cdn: string;
  readonly requests: LoggedRequest[];
  /** Cut the next `times` CDN downloads of the file with this SHA-256 after `after` bytes. */
  cutCdn(sha256: string, after: number, times: number): void;
  /** Answer the next `times` API requests with this status (e.g. 503), then as usual. */
  failApi(status: number, times: number): void;
  close(): Promise<void>;
}

const gitOid = (data: Buffer) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

/** Starts the fake hub and its CDN on free ports of 127.0.0.1. */
export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const requests: LoggedRequest[] = [];
  const blobs = new Map<string, Buffer>();
  const cuts = new Map<string, { after: number; times: number }>();
  let apiFailures: { status: number; times: number } | undefined;
  const sockets = new Set<Socket>();
  const isLfs = (repo: FakeRepo, p: string, content: Buffer) => (repo.lfs ? repo.lfs(p, content) : content.length >= 1000);
  for (const repo of options.repos) for (const files of Object.values(repo.commits)) for (const content of Object.values(files)) blobs.set(sha256(content), content);

  const log = (server: 'hub' | 'cdn', req: http.IncomingMessage) =>
    requests.push({ server, method: req.method ?? 'GET', url: req.url ?? '/', authorization: req.headers.authorization, range: req.headers.range });

  const cdnServer = http.createServer((req, res) => {
    log('cdn', req);
    const m = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})\?/.exec(req.url ?? '');
    const content = m ? blobs.get(m[1]) : undefined;
    if (!m || !content) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    const etag = `"${m[1]}"`;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === etag)) start = Number(range[1]);
    const headers: http.OutgoingHttpHeaders = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(content.length - start) };
    if (start > 0) headers['content-range'] = `bytes ${start}-${content.length - 1}/${content.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = cuts.get(m[1]);
    if (cut && cut.times > 0) {
      cut.times--;
      const end = Math.max(start, Math.min(content.length, cut.after));
      res.write(content.subarray(start, end), () => setTimeout(() => res.socket?.destroy(), CUT_DELAY_MS));
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : content.subarray(start));
  });

  let endpoint = '';
  let cdn = '';
  const hubServer = http.createServer((req, res) => {
    log('hub', req);
    const url = new URL(req.url ?? '/', endpoint);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const error = (status: number, code: string | undefined, message: string) => {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'x-error-message': message };
      if (code) headers['x-error-code'] = code;
      res.writeHead(status, headers).end(JSON.stringify({ error: message }));
    };
    if (apiFailures && apiFailures.times > 0 && url.pathname.startsWith('/api/')) {
      apiFailures.times--;
      res.writeHead(apiFailures.status, { 'content-type': 'text/plain' }).end('upstream unavailable');
      return;
    }
    if (auth !== undefined && !(options.validTokens ?? []).includes(auth)) return error(401, undefined, 'Invalid credentials in Authorization header');

    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repoId = api?.[1] ?? resolve?.[1];
    const repo = options.repos.find((r) => r.id === repoId);
    const granted = repo !== undefined && auth !== undefined && (repo.grantedTokens ?? []).includes(auth);
    if (!repo || (repo.private && !granted)) {
      // The hub does not tell a missing repository from one the caller may not see: 401 without a token, 404 with one.
      return auth === undefined ? error(401, 'RepoNotFound', 'Invalid username or password.') : error(404, 'RepoNotFound', 'Repository not found');
    }
    const revision = decodeURIComponent((api?.[3] ?? resolve?.[2])!);
    const branches = repo.branches ?? { main: Object.keys(repo.commits)[0] };
    const commit = repo.commits[revision] ? revision : branches[revision];
    if (!commit || !repo.commits[commit]) return error(404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    const files = repo.commits[commit];

    if (api?.[2] === 'revision') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          _id: sha256(Buffer.from(repo.id)).slice(0, 24),
          id: repo.id,
          modelId: repo.id,
          author: repo.id.split('/')[0],
          sha: commit,
          lastModified: '2024-12-18T14:41:23.000Z',
          private: repo.private === true,
          gated: repo.gated ? 'manual' : false,
          disabled: false,
          library_name: 'transformers',
          tags: ['transformers', 'safetensors'],
          siblings: Object.keys(files).sort().map((rfilename) => ({ rfilename })),
        }),
      );
      return;
    }
    if (api?.[2] === 'tree') {
      const entries: unknown[] = [];
      const dirs = new Set<string>();
      for (const p of Object.keys(files).sort()) {
        const parts = p.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      }
      for (const d of [...dirs].sort()) entries.push({ type: 'directory', oid: sha256(Buffer.from(d)).slice(0, 40), size: 0, path: d });
      for (const p of Object.keys(files).sort()) {
        const content = files[p];
        const lfs = isLfs(repo, p, content) ? { lfs: { oid: sha256(content), size: content.length, pointerSize: 134 } } : {};
        // In LFS, the git blob is the pointer file; its id is not the content's.
        const oid = lfs.lfs ? gitOid(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`)) : gitOid(content);
        entries.push({ type: 'file', oid, size: content.length, path: p, ...lfs });
      }
      const pageSize = options.pageSize ?? 1000;
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const page = entries.slice(cursor, cursor + pageSize);
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
      if (cursor + pageSize < entries.length) headers.link = `<${endpoint}/api/models/${repo.id}/tree/${encodeURIComponent(revision)}?recursive=true&cursor=${cursor + pageSize}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify(page));
      return;
    }
    if (resolve) {
      const filePath = resolve[3].split('/').map(decodeURIComponent).join('/');
      const content = files[filePath];
      if (repo.gated && !granted) {
        return auth === undefined
          ? error(401, 'GatedRepo', `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`)
          : error(403, 'GatedRepo', `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo.id} to ask for access.`);
      }
      if (!content) return error(404, 'EntryNotFound', 'Entry not found');
      if (isLfs(repo, filePath, content)) {
        const hash = sha256(content);
        res
          .writeHead(302, {
            location: `${cdn}/repos/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}?response-content-disposition=attachment&Expires=1767225600&Signature=fake&Key-Pair-Id=K1`,
            'x-repo-commit': commit,
            'x-linked-etag': `"${hash}"`,
            'x-linked-size': String(content.length),
            etag: `"${hash}"`,
          })
          .end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(content.length), 'x-repo-commit': commit, etag: `"${gitOid(content)}"` });
      res.end(req.method === 'HEAD' ? undefined : content);
      return;
    }
    error(404, undefined, 'Sorry, we can\'t find the page you are looking for.');
  });

  for (const server of [hubServer, cdnServer]) {
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  }
  const listen = (server: http.Server) =>
    new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
  endpoint = await listen(hubServer);
  cdn = await listen(cdnServer);
  return {
    endpoint,
    cdn,
    requests,
    cutCdn: (hash, after, times) => cuts.set(hash, { after, times }),
    failApi: (status, times) => (apiFailures = { status, times }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([hubServer, cdnServer].map((server) => new Promise<void>((done) => server.close(() => done()))));
    },
  };
}
