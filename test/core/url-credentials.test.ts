import { redactUrl, redactUrls, urlCredentials } from '../../src/core/url-credentials';

describe('credentials in URLs', () => {
  test.each([
    ['https://user:pass@example.com/m.onnx', '"user:password@"'],
    ['https://ghp_token@example.com/m.onnx', '"user:password@"'],
    ['https://example.com/m.onnx?token=abc', 'the query parameter "token", which looks like a token or a signature'],
    ['https://example.com/m.onnx?access_token=abc', 'the query parameter "access_token", which looks like a token or a signature'],
    ['https://bucket.s3.amazonaws.com/m.onnx?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20250101&X-Amz-Signature=abc&X-Amz-Expires=3600', 'the query parameters "X-Amz-Credential", "X-Amz-Signature", which look like tokens or signatures'],
    ['https://acct.blob.core.windows.net/c/m.onnx?sv=2022-11-02&sig=abc%3D', 'the query parameter "sig", which looks like a token or a signature'],
    ['https://storage.googleapis.com/b/m.onnx?X-Goog-Signature=abc&X-Goog-Credential=x', 'the query parameters "X-Goog-Signature", "X-Goog-Credential", which look like tokens or signatures'],
    ['https://s3.amazonaws.com/b/m?AWSAccessKeyId=AKIA&Signature=abc&Expires=1', 'the query parameters "AWSAccessKeyId", "Signature", which look like tokens or signatures'],
    ['https://example.com/m.onnx?api_key=abc', 'the query parameter "api_key", which looks like a token or a signature'],
  ])('GIVEN %s THEN it carries credentials: %s', (url, why) => {
    expect(urlCredentials(new URL(url))).toBe(why);
  });

  test.each(['https://example.com/m.onnx', 'https://huggingface.co/o/m/resolve/main/model.onnx?download=true', 'https://example.com/m?version=2&tokenizer=x&design=1'])(
    'GIVEN %s THEN it carries none, and is shown byte for byte',
    (url) => {
      expect(urlCredentials(new URL(url))).toBeUndefined();
      expect(redactUrl(url)).toBe(url);
    },
  );

  test('redactUrl hides the user, the password and the values of credential parameters, and keeps the rest as it is', () => {
    expect(redactUrl('https://robot:s3cret@example.com/m.onnx')).toBe('https://REDACTED:REDACTED@example.com/m.onnx');
    expect(redactUrl('https://b.s3.amazonaws.com/m.onnx?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2Fx&X-Amz-Signature=deadbeef&x=a%20b')).toBe(
      'https://b.s3.amazonaws.com/m.onnx?X-Amz-Algorithm=AWS4&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=a%20b',
    );
    expect(redactUrl('not a url ?token=x')).toBe('not a url ?token=x');
  });

  test('redactUrls redacts each URL in a message', () => {
    expect(redactUrls('GET https://u:p@a.example/x?sig=1, then https://b.example/y.')).toBe('GET https://REDACTED:REDACTED@a.example/x?sig=REDACTED, then https://b.example/y.');
  });
});
