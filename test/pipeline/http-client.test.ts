/** Which proxy a URL goes through: curl's rules for https_proxy, http_proxy, all_proxy and no_proxy (either case). */
import { proxyFor } from '../../src/pipeline/http-client';

const P = 'http://proxy.corp:3128';

test.each([
  ['https://huggingface.co/x', { HTTPS_PROXY: P }, P],
  ['https://huggingface.co/x', { https_proxy: 'proxy.corp:3128' }, 'http://proxy.corp:3128'],
  ['http://mirror.corp/x', { HTTPS_PROXY: P }, undefined],
  ['http://mirror.corp/x', { http_proxy: P }, P],
  ['https://quay.io/v2/', { ALL_PROXY: P }, P],
  ['https://huggingface.co/x', { HTTPS_PROXY: P, NO_PROXY: 'huggingface.co' }, undefined],
  ['https://cdn-lfs.huggingface.co/x', { HTTPS_PROXY: P, NO_PROXY: 'huggingface.co' }, undefined],
  ['https://cdn-lfs.huggingface.co/x', { HTTPS_PROXY: P, no_proxy: '.huggingface.co' }, undefined],
  ['https://nothuggingface.co/x', { HTTPS_PROXY: P, NO_PROXY: 'huggingface.co' }, P],
  ['http://127.0.0.1:5000/v2/', { HTTP_PROXY: P, NO_PROXY: 'localhost, 127.0.0.1' }, undefined],
  ['http://127.0.0.1:5000/v2/', { HTTP_PROXY: P, NO_PROXY: '127.0.0.1:6000' }, P],
  ['http://127.0.0.1:5000/v2/', { HTTP_PROXY: P, NO_PROXY: '127.0.0.1:5000' }, undefined],
  ['https://quay.io/v2/', { HTTPS_PROXY: P, NO_PROXY: '*' }, undefined],
  ['http://[::1]:8080/x', { HTTP_PROXY: P, NO_PROXY: '::1' }, undefined],
])('%s with %j -> %s', (url, env, proxy) => {
  expect(proxyFor(new URL(url), env)).toBe(proxy);
});
