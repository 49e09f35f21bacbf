// The signature of one request, as the spec's x-signature says (the same for every spec and every
// tool: included by the Postman and the Insomnia pre-request scripts). `items` are the request's
// [name, value] parameters (credentials included, disabled ones left out), values as sent.
function computeSignature(SIGNING, items, apiKey, secretKey, CryptoJS) {
  // Python's urllib.parse.quote(v, safe=''): what the generated SDK uses for `values: urlencoded`.
  function encode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  const excluded = SIGNING.exclude;
  const signed = items.filter(function (item) { return excluded.indexOf(item[0]) === -1; });
  if (SIGNING.sort === 'name') {
    signed.sort(function (a, b) {
      if (a[0] !== b[0]) {
        return a[0] < b[0] ? -1 : 1;
      }
      return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    });
  }
  const canonical = signed.map(function (item) {
    return SIGNING.values === 'urlencoded'
      ? encode(item[0]) + SIGNING.pair + encode(item[1])
      : item[0] + SIGNING.pair + item[1];
  }).join(SIGNING.join);
  const values = { canonical: canonical, api_key: apiKey, secret_key: secretKey };
  const payload = SIGNING.payload.replace(/\{(canonical|api_key|secret_key)\}/g, function (_, name) {
    return values[name];
  });

  let digest;
  switch (SIGNING.algorithm) {
    case 'md5': digest = CryptoJS.MD5(payload); break;
    case 'sha1': digest = CryptoJS.SHA1(payload); break;
    case 'sha256': digest = CryptoJS.SHA256(payload); break;
    case 'sha512': digest = CryptoJS.SHA512(payload); break;
    case 'hmac-sha256': digest = CryptoJS.HmacSHA256(payload, secretKey); break;
    case 'hmac-sha512': digest = CryptoJS.HmacSHA512(payload, secretKey); break;
    default: throw new Error('unsupported signature algorithm ' + SIGNING.algorithm);
  }
  if (SIGNING.output === 'base64') {
    return digest.toString(CryptoJS.enc.Base64);
  }
  const hex = digest.toString(CryptoJS.enc.Hex);
  return SIGNING.output === 'hex-upper' ? hex.toUpperCase() : hex;
}
