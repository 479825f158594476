import { parseImageReference } from '../../src/image-ref';
const H = 'a'.repeat(64);
const cases = [
  'quay.io/user/repo:tag', `registry.example.com:5000/a/b@sha256:${H}`, 'localhost/x', '[::1]:5000/x:y', `repo:v1@sha256:${H}`,
  'docker.io/library/busybox', 'Quay.io/x/y:1', 'Foo/bar', 'ubuntu', 'localhost:5000', 'quay.io/User/model:v1', '', '   ', ' quay.io/x ', 'quay.io/my model',
  'oci://quay.io/x/y:1', 'docker://x', 'oci://', '/x/y', 'x/y/', 'quay.io/', 'quay.io//x', 'x:', 'x:.v1', 'x:v1+cpu', `x:${'a'.repeat(129)}`,
  'x@', 'x@sha256', `x@${H}`, `x@md5:${H}`, `x@SHA256:${H}`, `x@sha256:${H.slice(1)}`, `x@sha256:${H.toUpperCase()}`, `x@sha256:${'g'.repeat(64)}`,
  `quay.io/${'a'.repeat(250)}`, H, '@sha256:' + H, 'my_registry.com/x', '-bad.com/x', 'quay.io:abc/x', 'quay.io:/x', '[::1%eth0]:5000/x', 'fe80::1/x', '[::1', '[::1]:5000',
  'x/a..b', 'x/-a', 'x/a+b', 'x/a___b', 'a.b..c/x', 'x@a@b', `x@sha512:${'b'.repeat(128)}`, 'quay.io/a:b/c', 'x\ty',
];
test('print', () => { for (const c of cases) { try { console.log(JSON.stringify(c), '=>', JSON.stringify(parseImageReference(c))); } catch (e) { console.log(JSON.stringify(c), '!!', (e as Error).message); } } });
test('more', () => { for (const c of ['[::1', '[::1]x/y', 'user:pw@quay.io/x', 'quay.io/my model', 'x:V1', 'LOCALHOST/x', 'localhost:5000/x:latest@sha256:' + 'a'.repeat(64), 'a/b:c:d', '[::1]:5000/x', 'x@sha256:', 'x@:abc']) { try { console.log(JSON.stringify(c), '=>', JSON.stringify(parseImageReference(c))); } catch (e) { console.log(JSON.stringify(c), '!!', (e as Error).message); } } });
