/**
 * The Hugging Face Hub's HTTP API, as huggingface_hub speaks it (huggingface/huggingface_hub, src/huggingface_hub:
 * hf_api.py `model_info` and `list_repo_tree`, file_download.py `hf_hub_url`, utils/_http.py `hf_raise_for_status`,
 * utils/_auth.py `get_token`, constants.py):
 * - `GET {endpoint}/api/models/{repo}/revision/{revision}`: the repository at a revision; `sha` is its commit;
 * - `GET {endpoint}/api/models/{repo}/tree/{commit}?recursive=true`: its files (`type`, `path`, `size`, `oid`, the
 *   git blob id, and `lfs.oid`, the SHA-256 of files in LFS), in pages linked by a `Link: <...>; rel="next"` header;
 * - `GET {endpoint}/{repo}/resolve/{commit}/{path}`: a file, often redirected to a CDN host;
 * - errors: the status with `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and
 *   `X-Error-Message`. The hub answers 401 for a missing repository when no token is given.
 *
 * The endpoint is `HF_ENDPOINT` (a mirror), else https://huggingface.co. The token comes from `HF_TOKEN` (or the
 * older `HUGGING_FACE_HUB_TOKEN`), else the token file `hf auth login` writes (`HF_TOKEN_PATH`, else
 * `$HF_HOME/token`, else `~/.cache/huggingface/token`): never from arguments. It is sent to the endpoint's host only,
 * never to the host a redirect leads to, and never shown.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { HUB_ENDPOINT, HUB_TOKEN_ADVICE_VARIABLE, HubFile, HubSnapshot, encodeRepoPath, gitBlobId, hubEndpointProblem, hubFileUrl, hubSourceKey, isCommitId, shownEndpoint } from '../../core/hub';
import { UserError } from '../../core/errors';
import { AbortedError } from '../../core/interrupts';
import { HttpClient, HttpResponse, RETRY_STATUSES, RedirectError, describeNetworkError, getFollowingRedirects, headerValue, httpClient, isTransient, readBody, retryAfterMs, retryWait, sleep, statusText } from '../http-client';
import { readRegularFile } from '../../core/safe-fs';
import { userCacheDir } from '../digest-cache';

/**
 * The hub endpoint of an environment: `HF_ENDPOINT` without a trailing `/`, else https://huggingface.co. An endpoint
 * that carries credentials (`user:password@`) is refused: it is shown in messages; the token is HF_TOKEN's.
 */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = (env.HF_ENDPOINT || HUB_ENDPOINT).replace(/\/+$/, '');
  const problem = hubEndpointProblem(endpoint);
  if (problem === 'not a URL') throw new UserError(`HF_ENDPOINT is not a URL; give the hub or mirror as https://host (it is "${shownEndpoint(endpoint)}")`);
  if (problem === 'not http(s)') throw new UserError(`HF_ENDPOINT must be an http(s) URL, e.g. https://hf-mirror.example.com`);
  if (problem === 'credentials') throw new UserError('HF_ENDPOINT carries credentials (user:password@), which would be shown in messages: give the URL without them, and the token in HF_TOKEN');
  return endpoint;
}

/** A hub token and where it came from (for messages: never the token). */
export interface HubToken {
  readonly token?: string;
  /** e.g. `HF_TOKEN`, or `the token file /home/me/.cache/huggingface/token`. */
  readonly from?: string;
}

/** The token file `hf auth login` writes: `HF_TOKEN_PATH`, else `$HF_HOME/token`, else `${XDG_CACHE_HOME:-~/.cache}/huggingface/token`. */
export function hubTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_TOKEN_PATH) return env.HF_TOKEN_PATH;
  const home = env.HF_HOME || path.join(userCacheDir(env), 'huggingface');
  return path.join(home, 'token');
}

/** The token to send to the hub, from the environment or the token file; none when neither has one. */
export function hubToken(env: NodeJS.ProcessEnv = process.env): HubToken {
  const clean = (t: string | undefined) => t?.replace(/[\r\n]/g, '').trim() || undefined;
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) {
    const token = clean(env[name]);
    if (token) return { token, from: name };
  }
  const file = hubTokenFile(env);
  let text: string | undefined;
  try {
    text = readRegularFile(file).toString('utf8');
  } catch {
    // none, unreadable, or not a file (never waited on)
    text = undefined;
  }
  const token = clean(text);
  return token ? { token, from: `the token file ${file}` } : {};
}

/** A problem with the hub: a missing or gated repository, a revision or file that is not there, a network error. */
export class HubError extends Error {
  constructor(
    message: string,
    /** Whether the hub could not be reached (or stopped answering): not an answer of the hub. */
    public readonly unreachable = false,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** Options of a {@link HubClient}. */
export interface HubClientOptions {
  /** Where HF_ENDPOINT, HF_TOKEN, the token file and the proxy variables are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The HTTP client. @default - one for `env` (its proxies), closed by {@link HubClient.close} */
  readonly client?: HttpClient;
  readonly signal?: AbortSignal;
  /** Attempts after the first for errors that may pass (resets, timeouts, 429, 5xx). @default 3 */
  readonly retries?: number;
  /** Wait before the first retry, doubled for each next. @default 1000 */
  readonly backoffMs?: number;
}

/** A file of a repository as the tree API lists it. */
export interface TreeFile {
  readonly path: string;
  readonly size: number;
  /** The git blob id. */
  readonly oid: string;
  /** The SHA-256 of a file stored in LFS (or Xet), from its LFS pointer. */
  readonly lfsSha256?: string;
}

/** Files not in LFS are small (the hub refuses larger ones in git); anything above this is not what was listed. */
const MAX_GIT_FILE_BYTES = 64 * 1024 * 1024;

/** A client of the hub's API for one endpoint and token. */
export class HubClient {
  public readonly endpoint: string;
  public readonly token: HubToken;
  public readonly client: HttpClient;
  private readonly own: boolean;
  /** How to give a token, in errors about repositories that need one. */
  private readonly tokenAdvice: string;
  /**
   * The answers of this client's life, by `repo@revision` and `repo@commit`: a command that lists a repository and
   * then records it (init) asks the hub once, and records the commit it has shown.
   */
  private readonly commits = new Map<string, Promise<string>>();
  private readonly trees = new Map<string, Promise<TreeFile[]>>();

  constructor(private readonly options: HubClientOptions = {}) {
    const env = options.env ?? process.env;
    this.endpoint = hubEndpoint(env);
    this.token = hubToken(env);
    this.tokenAdvice = env[HUB_TOKEN_ADVICE_VARIABLE] || 'set HF_TOKEN, or log in with `hf auth login` (modelcar reads its token file)';
    this.own = options.client === undefined;
    this.client = options.client ?? httpClient({ env });
  }

  /** Headers for a request to the endpoint: the token, when there is one. Not for any other host. */
  public authHeaders(): Record<string, string> {
    return this.token.token ? { authorization: `Bearer ${this.token.token}` } : {};
  }

  /** The URL a file is downloaded from, on this endpoint. */
  public fileUrl(repo: string, commit: string, filePath: string): string {
    return hubFileUrl(repo, commit, filePath, this.endpoint);
  }

  /** The commit a revision (branch, tag or commit id) of a repository stands for now (asked once per client). */
  public resolveRevision(repo: string, revision: string): Promise<string> {
    return once(this.commits, `${repo}@${revision}`, () => this.askRevision(repo, revision));
  }

  /** Every file of a repository at a commit, following the tree's pages (asked once per client). */
  public listFiles(repo: string, commit: string): Promise<TreeFile[]> {
    return once(this.trees, `${repo}@${commit}`, () => this.askFiles(repo, commit));
  }

  private async askRevision(repo: string, revision: string): Promise<string> {
    const { body } = await this.getJson(`/api/models/${repo}/revision/${encodeURIComponent(revision)}`, { repo, revision });
    const sha = (body as { sha?: unknown } | null)?.sha;
    if (typeof sha !== 'string' || !isCommitId(sha)) throw new HubError(`${hubSourceKey(repo, revision)}: the hub's answer has no commit id (sha); is ${this.endpoint} a Hugging Face hub?`);
    return sha;
  }

  private async askFiles(repo: string, commit: string): Promise<TreeFile[]> {
    const files: TreeFile[] = [];
    let next: string | undefined = `/api/models/${repo}/tree/${commit}?recursive=true`;
    for (let page = 0; next !== undefined; page++) {
      if (page > 10_000) throw new HubError(`${repo}: the tree of ${commit} has more pages than a repository can have`);
      const { body, link } = await this.getJson(next, { repo, revision: commit });
      if (!Array.isArray(body)) throw new HubError(`${repo}: the hub's tree of ${commit} is not a list; is ${this.endpoint} a Hugging Face hub?`);
      for (const entry of body as any[]) {
        if (entry?.type !== 'file') continue;
        if (typeof entry.path !== 'string' || !Number.isSafeInteger(entry.size) || typeof entry.oid !== 'string') {
          throw new HubError(`${repo}: the hub's tree of ${commit} lists a file without path, size or oid`);
        }
        const lfs = entry.lfs && typeof entry.lfs.oid === 'string' && /^[0-9a-f]{64}$/.test(entry.lfs.oid) ? entry.lfs.oid : undefined;
        files.push({ path: entry.path, size: entry.size, oid: entry.oid, ...(lfs ? { lfsSha256: lfs } : {}) });
      }
      next = link;
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The files of a repository at a revision, each with its SHA-256: from the LFS pointer for files in LFS; for the
   * others (config, tokenizer files: small, in git), from their content, downloaded and checked against their git
   * blob id. `onFile` is told of each download.
   */
  public async snapshot(repo: string, revision: string, onFile?: (file: string) => void): Promise<HubSnapshot> {
    const commit = await this.resolveRevision(repo, revision);
    const listed = await this.listFiles(repo, commit);
    const files: HubFile[] = [];
    for (const f of listed) {
      if (f.lfsSha256) {
        files.push({ path: f.path, sha256: f.lfsSha256, size: f.size });
        continue;
      }
      onFile?.(f.path);
      const content = await this.fetchFile(repo, commit, f.path, f.size);
      if (gitBlobId(content) !== f.oid) {
        throw new HubError(`${repo}: ${f.path} at ${commit} is not the file the hub lists (its git blob id is ${gitBlobId(content)}, the tree says ${f.oid}); is a proxy changing it?`);
      }
      files.push({ path: f.path, sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
    }
    return { repo, commit, files };
  }

  /** Closes the HTTP client, if this client made it. */
  public async close(): Promise<void> {
    if (this.own) await this.client.close();
  }

  /** A small file of a repository (not in LFS), into memory. */
  private async fetchFile(repo: string, commit: string, filePath: string, size: number): Promise<Buffer> {
    if (size > MAX_GIT_FILE_BYTES) throw new HubError(`${repo}: ${filePath} is listed with ${size} bytes but not in LFS; the hub keeps such files in LFS`);
    const { response, url } = await this.send(`/${repo}/resolve/${commit}/${encodeRepoPath(filePath)}`, { repo, revision: commit, file: filePath });
    try {
      return await readBody(response.body, MAX_GIT_FILE_BYTES, `${url} (listed with ${size} bytes)`);
    } catch (e) {
      throw new HubError(`${url}: ${describeNetworkError(e)}`);
    }
  }

  /** A GET of the API, parsed as JSON, with the next page's path when the answer links one on the same host. */
  private async getJson(apiPath: string, about: RequestAbout): Promise<{ body: unknown; link?: string }> {
    const { response, url } = await this.send(apiPath, about, { accept: 'application/json' });
    let text: string;
    try {
      text = (await readBody(response.body, 64 * 1024 * 1024, url)).toString('utf8');
    } catch (e) {
      throw new HubError(`${url}: ${describeNetworkError(e)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HubError(`${url}: the answer is not JSON (${JSON.stringify(text.slice(0, 80))}); is ${this.endpoint} a Hugging Face hub?`);
    }
    const linkHeader = headerValue(response.headers, 'link');
    const next = linkHeader ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(linkHeader)?.[1] : undefined;
    let link: string | undefined;
    if (next) {
      const nextUrl = new URL(next, url);
      if (nextUrl.origin !== new URL(this.endpoint).origin) throw new HubError(`${url}: the next page is on another host (${nextUrl.origin}); the token is not sent there`);
      link = `${nextUrl.pathname}${nextUrl.search}`;
    }
    return { body, link };
  }

  /**
   * A GET on the endpoint (with the token), following redirects (without the token on another host), retrying
   * errors that may pass, as a download does. Returns a 200 response; throws a {@link HubError} saying what the hub's
   * error means.
   */
  private async send(target: string, about: RequestAbout, extra: Record<string, string> = {}): Promise<{ response: HttpResponse; url: string }> {
    const first = `${this.endpoint}${target.startsWith('/') ? '' : '/'}${target}`;
    const { signal, retries = 3, backoffMs = 1000 } = this.options;
    for (let attempt = 0; ; attempt++) {
      let url = first;
      let retryAfter: number | undefined;
      try {
        const headers = { 'user-agent': 'modelcar', 'accept-encoding': 'identity', ...extra };
        const followed = await getFollowingRedirects(this.client, first, { headers, originHeaders: this.authHeaders(), signal, idleTimeoutMs: 60_000, onRedirect: (to) => (url = to) });
        const { response } = followed;
        if (response.statusCode === 200) return followed;
        response.body.resume();
        const error = new HubError(this.describe(response.statusCode, response.headers, first, about));
        if (!RETRY_STATUSES.has(response.statusCode) || attempt >= retries) throw error;
        retryAfter = retryAfterMs(response.headers);
      } catch (e) {
        if (e instanceof AbortedError || signal?.aborted) throw new AbortedError(signal?.reason);
        if (e instanceof HubError) throw e;
        if (e instanceof RedirectError) throw new HubError(`${first}: ${e.message}`);
        if (!isTransient(e) || attempt >= retries) throw new HubError(`${url}: ${describeNetworkError(e)}`, true);
      }
      await sleep(retryWait(attempt, backoffMs, retryAfter), signal);
    }
  }

  /**
   * What an error answer of the hub means, for a user: from its status, `X-Error-Code` and `X-Error-Message`
   * (hf_raise_for_status), with what to do. Never shows the token.
   */
  public describe(status: number, headers: Readonly<Record<string, string | string[] | undefined>>, url: string, about: RequestAbout): string {
    const code = headerValue(headers, 'x-error-code');
    const serverMessage = headerValue(headers, 'x-error-message');
    const said = `HTTP ${status}${statusText(status) ? ` ${statusText(status)}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
    const { repo } = about;
    const page = `${this.endpoint}/${repo}`;
    const token = this.token.from;
    const howToken = this.tokenAdvice;
    if (code === 'GatedRepo') {
      return token
        ? `${repo} is a gated repository and the token from ${token} has not been granted access (${said}); ask for access at ${page}`
        : `${repo} is a gated repository: downloading its files needs a token of an account that was granted access (${said}); ask for access at ${page}, then ${howToken}`;
    }
    if (code === 'RevisionNotFound') return `${repo} has no revision "${about.revision}" (${said}); give a branch, a tag or a commit id of it`;
    if (code === 'EntryNotFound') return `${repo} has no file ${about.file ?? url} at ${about.revision} (${said})`;
    if (status === 401 && serverMessage === 'Invalid credentials in Authorization header') {
      return `the token from ${token} is not valid for ${this.endpoint} (${said}); check it, or unset it for public repositories`;
    }
    if (code === 'RepoNotFound' || status === 401 || (status === 404 && about.file === undefined)) {
      return token
        ? `${repo}: no such repository on ${this.endpoint}, or the token from ${token} has no access to it (${said}); check the name at ${page}`
        : `${repo}: no such repository on ${this.endpoint}, or it is private or gated and no token was given (${said}); check the name at ${page}; for a private or gated repository, ${howToken}`;
    }
    if (status === 403) return `${repo}: access denied (${said}); check the permissions of the token${token ? ` from ${token}` : ''}`;
    return `${url}: ${said}`;
  }
}

/** The answer remembered under `key`, else the one `ask` gives, remembered unless it fails. */
function once<T>(answers: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> {
  let answer = answers.get(key);
  if (!answer) {
    answer = ask();
    answers.set(key, answer);
    answer.catch(() => answers.delete(key));
  }
  return answer;
}

/** What a request is about, for error messages. */
export interface RequestAbout {
  readonly repo: string;
  readonly revision: string;
  readonly file?: string;
}
