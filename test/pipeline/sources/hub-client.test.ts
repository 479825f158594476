/**
 * The hub client against a hub on 127.0.0.1 that answers as huggingface.co does (test/support/hub-server.ts):
 * revisions resolved to commits, trees listed page by page, each file's SHA-256 from its LFS pointer or its content,
 * the token from HF_TOKEN or the token file, and the hub's errors in words.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AbortedError } from '../../../src/core/interrupts';
import { HubClient, HubError, hubToken, hubTokenFile } from '../../../src/pipeline/sources/hub-client';
import { HubServer, startHubServer } from '../../support/hub-server';
import { COMMIT, GATED, LLM, LLM_FILES, OLD_COMMIT, PRIVATE, VALID_TOKENS, sha256 } from '../../support/hub-fixtures';
import { TestServer, startServer } from '../../support/http-server';
import { tempDir } from '../../support/temp';

let hub: HubServer;
let paged: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ repos: [LLM, GATED, PRIVATE], validTokens: VALID_TOKENS });
  paged = await startHubServer({ repos: [LLM], pageSize: 3 });
});
afterAll(async () => {
  await hub.close();
  await paged.close();
});

/** A client of a fake hub with a clean environment (no token unless given). */
function client(server: HubServer, env: NodeJS.ProcessEnv = {}): HubClient {
  return new HubClient({ env: { HOME: os.tmpdir(), HF_TOKEN_PATH: '/nonexistent/token', ...env, HF_ENDPOINT: server.endpoint }, backoffMs: 10 });
}

describe('listing a repository', () => {
  test('GIVEN a branch THEN it is resolved to its commit, every file is listed with the SHA-256 of its LFS pointer, or of its content when it is in git; no token is sent when none is set', async () => {
    const c = client(hub);
    const before = hub.requests.length;
    const snapshot = await c.snapshot('ibm-granite/granite-tiny', 'main');
    await c.close();
    expect(snapshot).toStrictEqual({
      repo: 'ibm-granite/granite-tiny',
      commit: COMMIT,
      files: Object.keys(LLM_FILES)
        .sort()
        .map((p) => ({ path: p, sha256: sha256(LLM_FILES[p]), size: LLM_FILES[p].length })),
    });
    const requests = hub.requests.slice(before);
    // The files in LFS are not downloaded to be listed: only those in git are.
    expect(requests.map((r) => `${r.server} ${r.url}`)).toStrictEqual([
      'hub /api/models/ibm-granite/granite-tiny/revision/main',
      `hub /api/models/ibm-granite/granite-tiny/tree/${COMMIT}?recursive=true`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/.gitattributes`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/README.md`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/config.json`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/generation_config.json`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/model.safetensors.index.json`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/tokenizer.json`,
      `hub /ibm-granite/granite-tiny/resolve/${COMMIT}/tokenizer_config.json`,
    ]);
    expect(requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  test('GIVEN a tree of several pages THEN every page is followed through its Link header', async () => {
    const c = client(paged);
    const files = await c.listFiles('ibm-granite/granite-tiny', OLD_COMMIT);
    await c.close();
    expect(files.map((f) => f.path)).toStrictEqual(Object.keys(LLM_FILES).sort());
    expect(paged.requests.filter((r) => r.url.includes('/tree/')).map((r) => r.url)).toStrictEqual([
      `/api/models/ibm-granite/granite-tiny/tree/${OLD_COMMIT}?recursive=true`,
      `/api/models/ibm-granite/granite-tiny/tree/${OLD_COMMIT}?recursive=true&cursor=3`,
      `/api/models/ibm-granite/granite-tiny/tree/${OLD_COMMIT}?recursive=true&cursor=6`,
      `/api/models/ibm-granite/granite-tiny/tree/${OLD_COMMIT}?recursive=true&cursor=9`,
    ]);
  });

  test('GIVEN a tag THEN it stands for its own commit; a hub answering 503 is asked again', async () => {
    hub.failApi(503, 1);
    const c = client(hub);
    expect(await c.resolveRevision('ibm-granite/granite-tiny', 'v1.0')).toBe(OLD_COMMIT);
    await c.close();
  });
});

describe('tokens: from HF_TOKEN, else the token file; sent as a bearer token to the hub', () => {
  test('GIVEN HF_TOKEN and a token file THEN HF_TOKEN wins; without HF_TOKEN the file (HF_TOKEN_PATH, else HF_HOME/token, else ~/.cache/huggingface/token) is read, trimmed', () => {
    const dir = tempDir('modelcar-hf-home-');
    fs.mkdirSync(path.join(dir, 'huggingface'));
    fs.writeFileSync(path.join(dir, 'huggingface', 'token'), 'hf_from_file\n');
    const env = { XDG_CACHE_HOME: dir };
    expect(hubTokenFile(env)).toBe(path.join(dir, 'huggingface', 'token'));
    expect(hubToken(env)).toStrictEqual({ token: 'hf_from_file', from: `the token file ${path.join(dir, 'huggingface', 'token')}` });
    expect(hubToken({ ...env, HF_TOKEN: 'hf_env' })).toStrictEqual({ token: 'hf_env', from: 'HF_TOKEN' });
    expect(hubTokenFile({ HF_HOME: '/srv/hf' })).toBe('/srv/hf/token');
    expect(hubToken({ HF_TOKEN_PATH: path.join(dir, 'none') })).toStrictEqual({});
    // A FIFO or a device at the token file is not waited on nor read: no token.
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    expect(hubToken({ HF_TOKEN_PATH: path.join(dir, 'fifo') })).toStrictEqual({});
    expect(hubToken({ HF_TOKEN_PATH: '/dev/zero' })).toStrictEqual({});
  });

  test('GIVEN a token THEN the API gets it as `Authorization: Bearer`, and a private repository is listed', async () => {
    const c = client(hub, { HF_TOKEN: 'hf_granted_token' });
    const before = hub.requests.length;
    const snapshot = await c.snapshot('acme/internal-model', 'main');
    await c.close();
    expect(snapshot.files.map((f) => f.path)).toStrictEqual(['config.json']);
    expect(new Set(hub.requests.slice(before).map((r) => r.authorization))).toStrictEqual(new Set(['Bearer hf_granted_token']));
  });
});

describe("the hub's errors, in words (huggingface_hub hf_raise_for_status), never with the token", () => {
  const key = (repo: string) => repo;
  test.each([
    [
      'a missing repository, without a token (the hub answers 401)',
      {},
      'ibm-granite/no-such-model',
      'main',
      `ibm-granite/no-such-model: no such repository on ENDPOINT, or it is private or gated and no token was given (HTTP 401 Unauthorized: Invalid username or password.); check the name at ENDPOINT/ibm-granite/no-such-model; for a private or gated repository, set HF_TOKEN, or log in with \`hf auth login\` (modelcar reads its token file)`,
    ],
    [
      'a private repository, with a token that has no access (404)',
      { HF_TOKEN: 'hf_not_granted_token' },
      'acme/internal-model',
      'main',
      'acme/internal-model: no such repository on ENDPOINT, or the token from HF_TOKEN has no access to it (HTTP 404 Not Found: Repository not found); check the name at ENDPOINT/acme/internal-model',
    ],
    [
      'a revision the repository does not have',
      {},
      'ibm-granite/granite-tiny',
      'v9',
      'ibm-granite/granite-tiny has no revision "v9" (HTTP 404 Not Found: Invalid rev id: v9); give a branch, a tag or a commit id of it',
    ],
    [
      'a token the hub does not know',
      { HF_TOKEN: 'hf_revoked' },
      'ibm-granite/granite-tiny',
      'main',
      'the token from HF_TOKEN is not valid for ENDPOINT (HTTP 401 Unauthorized: Invalid credentials in Authorization header); check it, or unset it for public repositories',
    ],
    [
      'a gated repository, without a token: its files answer 401 GatedRepo',
      {},
      'meta-llama/Llama-tiny',
      'main',
      'meta-llama/Llama-tiny is a gated repository: downloading its files needs a token of an account that was granted access (HTTP 401 Unauthorized: Access to model meta-llama/Llama-tiny is restricted. You must have access to it and be authenticated to access it. Please log in.); ask for access at ENDPOINT/meta-llama/Llama-tiny, then set HF_TOKEN, or log in with `hf auth login` (modelcar reads its token file)',
    ],
    [
      'a gated repository, without a token, in an in-cluster build (whose stage step says how to give one there)',
      { MODELCAR_HUB_TOKEN_ADVICE: "give the model hubTokenSecret in the config: a Secret of the build's namespace with the key HF_TOKEN or token" },
      'meta-llama/Llama-tiny',
      'main',
      "meta-llama/Llama-tiny is a gated repository: downloading its files needs a token of an account that was granted access (HTTP 401 Unauthorized: Access to model meta-llama/Llama-tiny is restricted. You must have access to it and be authenticated to access it. Please log in.); ask for access at ENDPOINT/meta-llama/Llama-tiny, then give the model hubTokenSecret in the config: a Secret of the build's namespace with the key HF_TOKEN or token",
    ],
    [
      'a gated repository, with a token not granted access: 403 GatedRepo',
      { HF_TOKEN: 'hf_not_granted_token' },
      'meta-llama/Llama-tiny',
      'main',
      'meta-llama/Llama-tiny is a gated repository and the token from HF_TOKEN has not been granted access (HTTP 403 Forbidden: Access to model meta-llama/Llama-tiny is restricted and you are not in the authorized list. Visit https://huggingface.co/meta-llama/Llama-tiny to ask for access.); ask for access at ENDPOINT/meta-llama/Llama-tiny',
    ],
  ])('%s', async (_what, env, repo, revision, message) => {
    const c = client(hub, env as NodeJS.ProcessEnv);
    const error = await c.snapshot(key(repo), revision).then(
      () => undefined,
      (e: Error) => e,
    );
    await c.close();
    expect(error?.message).toBe(message.replace(/ENDPOINT/g, hub.endpoint));
    expect(error?.message).not.toContain('hf_not_granted_token');
  });
});

test('GIVEN HF_ENDPOINT with credentials in it THEN it is refused (it would be shown in messages); the token is HF_TOKEN', () => {
  expect(() => new HubClient({ env: { HF_ENDPOINT: 'https://user:secret@mirror.example.com' } })).toThrow(
    'HF_ENDPOINT carries credentials (user:password@), which would be shown in messages: give the URL without them, and the token in HF_TOKEN',
  );
});

describe('retries and redirects, as a download makes them', () => {
  const REPO = 'ibm-granite/granite-tiny';
  const answer = Buffer.from(JSON.stringify({ id: REPO, sha: COMMIT }));
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      [`/api/models/${REPO}/revision/to-ftp`]: { kind: 'redirect', to: 'ftp://mirror.example.com/granite' },
      [`/api/models/${REPO}/revision/busy`]: { kind: 'ranged', body: answer, failures: [{ status: 429, retryAfter: 0 }] },
      [`/api/models/${REPO}/revision/down`]: { kind: 'status', status: 503 },
    });
  });
  const clients: HubClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(() => server.close());
  /** A client whose backoff (a minute) would outlast the test: a retry must not wait for it. */
  const slowClient = (signal?: AbortSignal) => {
    const c = new HubClient({ env: { HOME: os.tmpdir(), HF_TOKEN_PATH: '/nonexistent/token', HF_ENDPOINT: server.url }, backoffMs: 60_000, signal });
    clients.push(c);
    return c;
  };

  test('GIVEN a redirect to a location that is not http(s) THEN the error says so, and the hub is not taken for unreachable', async () => {
    const error = await slowClient()
      .resolveRevision(REPO, 'to-ftp')
      .then(
        () => undefined,
        (e: HubError) => e,
      );
    expect(error).toBeInstanceOf(HubError);
    expect(error!.message).toBe(`${server.url}/api/models/${REPO}/revision/to-ftp: redirected to ftp://mirror.example.com/granite, which is not http(s)`);
    expect(error!.unreachable).toBe(false);
  });

  test('GIVEN a 429 with Retry-After: 0 THEN the hub is asked again at once, not after the backoff', async () => {
    expect(await slowClient().resolveRevision(REPO, 'busy')).toBe(COMMIT);
    expect(server.requests.filter((r) => r.endsWith('/revision/busy'))).toHaveLength(2);
  });

  test('GIVEN an interrupt while waiting to ask a failing hub again THEN it stops at once', async () => {
    const stop = new AbortController();
    const pending = slowClient(stop.signal).resolveRevision(REPO, 'down');
    while (!server.requests.some((r) => r.endsWith('/revision/down'))) await new Promise((r) => setTimeout(r, 10));
    stop.abort('SIGINT');
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(server.requests.filter((r) => r.endsWith('/revision/down'))).toHaveLength(1);
  });
});
