/**
 * A model's files from a Hugging Face repository, end to end through the CLI, against a hub and a CDN on 127.0.0.1
 * (HF_ENDPOINT): synth records the repository at the commit its revision stands for, with each file's SHA-256, in
 * the lock file and writes the build context from it; synth --check compares without the network; stage downloads
 * each file (LFS files through a redirect to the CDN, resumed after a cut), checks it against the hub's SHA-256, and
 * sends the token to the hub only; build.sh does the same with curl.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { readLock } from '../../../src/pipeline/lock';
import { useEnv } from '../../support/env';
import { HubServer, startHubServer } from '../../support/hub-server';
import { COMMIT, GATED, GATED_COMMIT, LLM, LLM_FILES, OLD_COMMIT, OLD_LLM_FILES, VALID_TOKENS, sha256 } from '../../support/hub-fixtures';
import { Project, cli, project } from '../../support/project';
import { requireTool } from '../../support/tools';
import { tempDir } from '../../support/temp';

let hub: HubServer;
const cache = tempDir('modelcar-cache-');
beforeAll(async () => {
  hub = await startHubServer({ repos: [LLM, GATED], validTokens: VALID_TOKENS });
});
afterAll(async () => {
  await hub.close();
});
useEnv(() => ({ HF_ENDPOINT: hub.endpoint, HF_TOKEN_PATH: path.join(cache, 'no-token'), XDG_CACHE_HOME: cache }));

const SELECTED = ['config.json', 'generation_config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json'];

function config(revision = 'main', repo = 'ibm-granite/granite-tiny'): string {
  return [
    'version: 1',
    'defaults:',
    '  namespace: llm',
    '  runtime: vllm-cuda-runtime',
    'models:',
    '  - name: granite',
    '    format: vLLM',
    '    image: quay.io/team/granite:1',
    '    files:',
    `      - repo: ${repo}`,
    `        revision: ${revision}`,
    '        exclude: ["original/", "*.md", ".gitattributes"]',
    '',
  ].join('\n');
}

const context = (p: Project) => path.join(p.dist, 'images', 'llm', 'granite');
const lockOf = (p: Project) => path.join(p.dir, 'modelcar.lock.yaml');
const since = (n: number) => hub.requests.slice(n);

describe('synth records a hub repository in the lock file', () => {
  let p: Project;
  beforeAll(() => {
    p = project(config());
  });

  test('GIVEN a branch THEN synth resolves it to its commit, records every file with its SHA-256 and size, and writes the build context from the record', async () => {
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`listing ibm-granite/granite-tiny@main on ${hub.endpoint}\n`);
    expect(result.out).toContain('  hashing config.json (not in LFS: its SHA-256 is computed from its content)\n');
    expect(result.out).toContain(`  sources: ibm-granite/granite-tiny@main: recorded commit ${COMMIT} (10 files, 459.4 KiB) in modelcar.lock.yaml\n`);
    expect(readLock(lockOf(p)).sources).toStrictEqual({
      folders: {},
      hub: {
        'ibm-granite/granite-tiny@main': {
          commit: COMMIT,
          files: Object.fromEntries(Object.keys(LLM_FILES).sort().map((f) => [f, { sha256: `sha256:${sha256(LLM_FILES[f])}`, size: LLM_FILES[f].length }])),
        },
      },
    });
    const containerfile = fs.readFileSync(path.join(context(p), 'Containerfile'), 'utf8');
    // The shards (large) each get a layer; here they are small, so the repository's files share one layer.
    expect(containerfile).toContain(`COPY --chown=0:0 --chmod=0444 ${SELECTED.map((f) => `models/${f}`).join(' ')} /models/\n`);
    const buildSh = fs.readFileSync(path.join(context(p), 'build.sh'), 'utf8');
    expect(buildSh).toContain(`hub 'ibm-granite/granite-tiny/resolve/${COMMIT}/config.json' 'models/config.json' '${sha256(LLM_FILES['config.json'])}'; SHA_0=$actual\n`);
    // Nothing of the mirror's address lands in the output: it names the hub's canonical URLs.
    expect(buildSh).not.toContain(hub.endpoint);
    expect(buildSh).toContain(`"source":"https://huggingface.co/ibm-granite/granite-tiny/resolve/${COMMIT}/config.json"`);
  });

  test('GIVEN the record THEN synth and synth --check ask the hub nothing, and --check is green', async () => {
    const before = hub.requests.length;
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    expect(await cli(['synth', '--check', '-c', p.config, '-o', p.dist])).toStrictEqual({ code: 0, out: `${p.dist}/ is up to date\n`, err: '' });
    expect(since(before)).toStrictEqual([]);
  });

  test('GIVEN another revision in the config THEN --check fails naming the repository, without asking the hub; synth records the new commit and drops the old record', async () => {
    fs.writeFileSync(p.config, config('v1.0'));
    const before = hub.requests.length;
    expect(await cli(['synth', '--check', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: [
        `modelcar: ${path.relative(process.cwd(), lockOf(p))} does not match the config's sources: run \`modelcar synth\` and commit the result`,
        "  ! ibm-granite/granite-tiny@v1.0: not recorded in modelcar.lock.yaml; run `modelcar synth`, which lists its files through the hub's API",
        '  ! ibm-granite/granite-tiny@main: recorded in modelcar.lock.yaml but no longer a repository of the config; run `modelcar synth` to drop it',
        '(the output cannot be compared before that)',
        '',
      ].join('\n'),
    });
    expect(since(before)).toStrictEqual([]);
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.out).toContain(`  sources: ibm-granite/granite-tiny@v1.0: recorded commit ${OLD_COMMIT} (10 files, 459.3 KiB) in modelcar.lock.yaml\n`);
    expect(result.out).toContain('  sources: ibm-granite/granite-tiny@main: recorded in modelcar.lock.yaml but no longer a repository of the config; dropped\n');
    expect(Object.keys(readLock(lockOf(p)).sources!.hub)).toStrictEqual(['ibm-granite/granite-tiny@v1.0']);
    expect(fs.readFileSync(path.join(context(p), 'build.sh'), 'utf8')).toContain(`hub 'ibm-granite/granite-tiny/resolve/${OLD_COMMIT}/config.json' 'models/config.json' '${sha256(OLD_LLM_FILES['config.json'])}'`);
  });
});

describe('config errors of hub sources', () => {
  test('GIVEN repo without revision, with sha256, with source, a bad id and patterns that select nothing THEN each is reported at its line', async () => {
    const p = project(
      [
        'version: 1',
        'defaults: { namespace: llm, runtime: vllm-cuda-runtime }',
        'models:',
        '  - name: granite',
        '    format: vLLM',
        '    image: quay.io/team/granite:1',
        '    files:',
        '      - repo: ibm-granite/granite-tiny',
        '      - repo: https://huggingface.co/ibm-granite/granite-tiny',
        '        revision: main',
        '      - repo: ibm-granite/granite-tiny',
        '        revision: main',
        `        sha256: ${'a'.repeat(64)}`,
        '        source: models/x',
        '      - source: https://example.com/model.onnx',
        '        include: ["*.onnx"]',
        '  - name: other',
        '    format: vLLM',
        '    image: quay.io/team/other:1',
        '    files:',
        '      - repo: ibm-granite/granite-tiny',
        '        revision: main',
        '        include: ["*.gguf"]',
        '',
      ].join('\n'),
    );
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.err).toBe(
      [
        `modelcar: ${p.config}:8:9: models[0].files[0]: missing required key "revision": the branch (main), tag or commit id of repo; synth records the commit it stands for in the lock file`,
        `${p.config}:9:15: models[0].files[1].repo: "https://huggingface.co/ibm-granite/granite-tiny" is a URL; give the repository id only: write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct`,
        `${p.config}:13:17: models[0].files[2].sha256: the lock file pins each file of a repository with the hub's SHA-256; remove sha256`,
        `${p.config}:14:17: models[0].files[2].source: give source (a URL or a local path) or repo (a Hugging Face repository), not both`,
        `${p.config}:16:18: models[0].files[3].include: include is for the files of a hub repository (repo); "https://example.com/model.onnx" is a URL or a local path`,
        `${p.config}:23:18: models[1].files[0].include: selects no file of ibm-granite/granite-tiny@main (commit ${COMMIT}); its files: .gitattributes, README.md, config.json, generation_config.json, model-00001-of-00002.safetensors, model-00002-of-00002.safetensors, model.safetensors.index.json, original/consolidated.00.pth, tokenizer.json, tokenizer_config.json`,
        '6 problems found; nothing was written.',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(fs.existsSync(p.dist)).toBe(false);
    expect(fs.existsSync(lockOf(p))).toBe(false);
  });

  test('GIVEN a repository recorded, then build: in-cluster THEN the TaskRun carries its record at the commit; GIVEN a size on its entry THEN refused at its config line, nothing written', async () => {
    const p = project(config());
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const before = fs.readFileSync(path.join(context(p), 'build.sh'), 'utf8');
    // The in-cluster build runs the model's config alone, with the lock file's record of the files it takes.
    const inCluster = config().replace('defaults:\n', 'defaults:\n  build: in-cluster\n').replace('version: 1\n', 'version: 1\ninCluster:\n  pushSecret: quay-push\n');
    fs.writeFileSync(p.config, inCluster);
    const synth = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(synth.code).toBe(0);
    const runs = fs.readdirSync(path.join(p.dist, 'builds', 'llm')).filter((f) => f.startsWith('taskrun-'));
    const run = YAML.parse(fs.readFileSync(path.join(p.dist, 'builds', 'llm', runs[0]), 'utf8'));
    const lockFile = path.join(tempDir('modelcar-run-lock-'), 'modelcar.lock.yaml');
    fs.writeFileSync(lockFile, run.spec.params.find((x: any) => x.name === 'lock').value);
    expect(readLock(lockFile).sources!.hub).toStrictEqual({
      [`ibm-granite/granite-tiny@${COMMIT}`]: { commit: COMMIT, files: Object.fromEntries(SELECTED.map((f) => [f, { sha256: `sha256:${sha256(LLM_FILES[f])}`, size: LLM_FILES[f].length }])) },
    });
    fs.writeFileSync(p.config, config().replace('        revision: main\n', '        revision: main\n        size: 100\n'));
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).err).toBe(
      `modelcar: ${p.config}:12:15: models[0].files[0].size: the lock file records the size of each file of a repository; remove size\n1 problem found; nothing was written.\n`,
    );
    expect(fs.readFileSync(path.join(context(p), 'build.sh'), 'utf8')).toBe(before);
  });

  test('GIVEN a gated repository and no token THEN synth fails at the repository line with the hub\'s words and what to do; nothing is written', async () => {
    const p = project(config('main', 'meta-llama/Llama-tiny'));
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.err).toBe(
      `modelcar: ${p.config}:10:15: models[0].files[0].repo: meta-llama/Llama-tiny is a gated repository: downloading its files needs a token of an account that was granted access (HTTP 401 Unauthorized: Access to model meta-llama/Llama-tiny is restricted. You must have access to it and be authenticated to access it. Please log in.); ask for access at ${hub.endpoint}/meta-llama/Llama-tiny, then set HF_TOKEN, or log in with \`hf auth login\` (modelcar reads its token file)\n1 problem found; nothing was written.\n`,
    );
    expect(result.code).toBe(1);
    expect(fs.existsSync(lockOf(p))).toBe(false);
  });
});

describe('stage downloads the files of a hub repository', () => {
  let p: Project;
  beforeAll(async () => {
    p = project(config());
    const synth = await cli(['synth', '-c', p.config, '-o', p.dist]);
    if (synth.code !== 0) throw new Error(synth.err);
  });

  test('GIVEN a token THEN each file comes from the endpoint (LFS files through the CDN), is checked against the SHA-256 the lock file records, and the token reaches the hub only; a cut download resumes where it broke', async () => {
    const shard = LLM_FILES['model-00001-of-00002.safetensors'];
    hub.cutCdn(sha256(shard), 100_000, 1);
    process.env.HF_TOKEN = 'hf_granted_token';
    const before = hub.requests.length;
    let result;
    try {
      result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    } finally {
      delete process.env.HF_TOKEN;
    }
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    for (const f of SELECTED) expect(fs.readFileSync(path.join(context(p), 'models', f)).equals(LLM_FILES[f])).toBe(true);
    expect(result.out).toContain(`  models/config.json: downloading ${hub.endpoint}/ibm-granite/granite-tiny/resolve/${COMMIT}/config.json\n`);
    expect(result.out).toMatch(new RegExp(`\\n  models/config\\.json: downloaded .*; sha256 ${sha256(LLM_FILES['config.json'])} matches modelcar\\.lock\\.yaml\\n`));
    expect(result.out).toContain(
      `  models/model-00001-of-00002.safetensors: ${hub.endpoint}/ibm-granite/granite-tiny/resolve/${COMMIT}/model-00001-of-00002.safetensors: the connection broke after 100000 of 300000 bytes (aborted); retrying in 1s (attempt 2 of 6)\n`,
    );
    const requests = since(before);
    const cdn = requests.filter((r) => r.server === 'cdn');
    expect(cdn.map((r) => ({ url: r.url.replace(/\?.*/, ''), range: r.range, authorization: r.authorization }))).toStrictEqual([
      { url: `/repos/${sha256(shard).slice(0, 2)}/${sha256(shard).slice(2, 4)}/${sha256(shard)}`, range: undefined, authorization: undefined },
      { url: `/repos/${sha256(shard).slice(0, 2)}/${sha256(shard).slice(2, 4)}/${sha256(shard)}`, range: 'bytes=100000-', authorization: undefined },
      { url: expect.stringMatching(/^\/repos\//), range: undefined, authorization: undefined },
    ]);
    expect(requests.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_granted_token')).toBe(true);
  });

  test('GIVEN a file the mirror serves differently from what the lock file records THEN stage refuses it at the repository line', async () => {
    const lock = fs.readFileSync(lockOf(p), 'utf8');
    const wrong = sha256('another config');
    fs.writeFileSync(lockOf(p), lock.replace(`sha256:${sha256(LLM_FILES['config.json'])}`, `sha256:${wrong}`));
    try {
      const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
      expect(result.code).toBe(1);
      expect(result.err).toBe(
        `modelcar: ${p.config}:10:15: models[0].files[0].repo: ibm-granite/granite-tiny: config.json has sha256 ${sha256(LLM_FILES['config.json'])}, but the hub lists ${wrong} for it (as modelcar.lock.yaml records); it was not staged (is a mirror or proxy serving another file?)\n1 file could not be staged; ${path.relative(process.cwd(), p.dist)} holds no unverified file.\n`,
      );
    } finally {
      fs.writeFileSync(lockOf(p), lock);
    }
  });

  test('build.sh downloads the same files with curl, the token on its standard input and for the hub only, and checks them', async () => {
    requireTool('curl', 'apt-get install -y curl');
    const dir = context(p);
    fs.rmSync(path.join(dir, 'models'), { recursive: true, force: true });
    const tokenFile = path.join(cache, 'hf-token');
    fs.writeFileSync(tokenFile, 'hf_granted_token\n');
    const before = hub.requests.length;
    // BUILDER=true stands in for podman: the script's downloads and checks run, the build is a no-op.
    // Asynchronously: the hub answering it runs in this process.
    const { stdout: out } = await promisify(execFile)('sh', [path.join(dir, 'build.sh'), '--no-push'], { env: { PATH: process.env.PATH, HOME: cache, BUILDER: 'true', HF_ENDPOINT: hub.endpoint, HF_TOKEN_PATH: tokenFile }, encoding: 'utf8' });
    expect(out).toContain(`fetching ${hub.endpoint}/ibm-granite/granite-tiny/resolve/${COMMIT}/model-00001-of-00002.safetensors\n`);
    for (const f of SELECTED) expect(fs.readFileSync(path.join(dir, 'models', f)).equals(LLM_FILES[f])).toBe(true);
    const requests = since(before);
    expect(requests.filter((r) => r.server === 'hub').length).toBe(SELECTED.length);
    expect(requests.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_granted_token')).toBe(true);
    expect(requests.filter((r) => r.server === 'cdn').map((r) => r.authorization)).toStrictEqual([undefined, undefined]);
  });

  test('GIVEN a gated repository recorded earlier and a token not granted access THEN stage names the file, the 403 and where to ask for access', async () => {
    const q = project(config('main', 'meta-llama/Llama-tiny'));
    process.env.HF_TOKEN = 'hf_granted_token';
    try {
      expect((await cli(['synth', '-c', q.config, '-o', q.dist])).code).toBe(0);
    } finally {
      delete process.env.HF_TOKEN;
    }
    process.env.HF_TOKEN = 'hf_not_granted_token';
    let result;
    try {
      result = await cli(['stage', '-c', q.config, '-o', q.dist]);
    } finally {
      delete process.env.HF_TOKEN;
    }
    expect(result.code).toBe(1);
    expect(result.err.split('\n')[0]).toBe(
      `modelcar: ${q.config}:10:15: models[0].files[0].repo: meta-llama/Llama-tiny is a gated repository and the token from HF_TOKEN has not been granted access (HTTP 403 Forbidden: Access to model meta-llama/Llama-tiny is restricted and you are not in the authorized list. Visit https://huggingface.co/meta-llama/Llama-tiny to ask for access.); ask for access at ${hub.endpoint}/meta-llama/Llama-tiny`,
    );
    expect(result.err).not.toContain('hf_not_granted_token');
    expect(readLock(path.join(q.dir, 'modelcar.lock.yaml')).sources!.hub['meta-llama/Llama-tiny@main'].commit).toBe(GATED_COMMIT);
  });
});
