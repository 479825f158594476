/**
 * Environment variables for the tests of a file, which the CLI (run in-process) reads from process.env: set before
 * them, restored after. Variables of the developer's machine that change what modelcar does (a proxy, a hub token or
 * endpoint, the cache folder) are removed unless the test sets them.
 */
const MACHINE_STATE = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HOME', 'HF_ENDPOINT', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'XDG_CACHE_HOME', 'REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR'];

/** Sets `vars` (computed once the servers of the file are up) for the file's tests; undefined removes a variable. */
export function useEnv(vars: () => Record<string, string | undefined>): void {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    const wanted = { ...Object.fromEntries(MACHINE_STATE.map((k) => [k, undefined])), ...vars() };
    for (const [key, value] of Object.entries(wanted)) {
      saved.set(key, process.env[key]);
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}
