// The x-signature signer in JavaScript: the schemes of generator/runtime/_signing.py, for the
// pre-request scripts of the API tools (Postman, Insomnia). Rendered by
// generator/outputs/signer.py; plain ES5, no globals but these functions.
//
// signRequest(sig, request, credentials, crypto) -> {query, form, headers}
//   sig:         the signature object in the spec's shape (Signature.to_mapping() in Python)
//   request:     {method, path, urlPath, query: [[k, v]...], form: [[k, v]...] | null, body, nowMs}
//                (path: after the server URL; body: the raw body when there is no form)
//   credentials: {apiKey, secretKey, passphrase}
//   crypto:      {hash(name, bytes), hmac(name, keyBytes, bytes)}: byte arrays in and out
//                (cryptoJsProvider(CryptoJS) makes one from crypto-js)
// The query and form pairs come back with the signature's parameters added (the signature
// ones last, any pairs of theirs in the request dropped); headers holds the signature's headers.

function signerUtf8(text) {
  const binary = unescape(encodeURIComponent(text));
  const out = [];
  for (let i = 0; i < binary.length; i += 1) { out.push(binary.charCodeAt(i)); }
  return out;
}

function signerUtf8Decode(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
  return decodeURIComponent(escape(binary));
}

const SIGNER_B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function signerBase64(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    out += SIGNER_B64[(n >> 18) & 63] + SIGNER_B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? SIGNER_B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? SIGNER_B64[n & 63] : '=';
  }
  return out;
}

function signerBase64Decode(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error('secretKey is not base64, as the signature says it is');
  }
  const out = [];
  for (let i = 0; i < text.length; i += 4) {
    const c = [0, 1, 2, 3].map(function (j) { return text[i + j] === '=' ? 0 : SIGNER_B64.indexOf(text[i + j]); });
    const n = (c[0] << 18) | (c[1] << 12) | (c[2] << 6) | c[3];
    out.push((n >> 16) & 255);
    if (text[i + 2] !== '=') { out.push((n >> 8) & 255); }
    if (text[i + 3] !== '=') { out.push(n & 255); }
  }
  return out;
}

function signerHex(bytes) {
  return bytes.map(function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
}

// Python's urllib.parse.quote(v, safe=''): `canonical: {values: urlencoded}`.
function signerQuote(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
    return '%' + c.charCodeAt(0).toString(16).toUpperCase();
  });
}

// Python's urllib.parse.urlencode: how the SDK sends query strings and form bodies.
function signerEncodePairs(pairs) {
  return pairs.map(function (p) {
    return signerQuote(p[0]).replace(/%20/g, '+') + '=' + signerQuote(p[1]).replace(/%20/g, '+');
  }).join('&');
}

function signerPlaceholders(template) {
  const out = [];
  String(template).replace(/\{(\??[A-Za-z_][A-Za-z0-9_]*)\}/g, function (_, name) { out.push(name); return ''; });
  return out;
}

// Template -> bytes, each placeholder replaced once (raw digests spliced in as bytes).
function signerFill(template, values) {
  let out = [];
  let last = 0;
  const re = /\{(\??[A-Za-z_][A-Za-z0-9_]*)\}/g;
  let m;
  while ((m = re.exec(template)) !== null) {
    out = out.concat(signerUtf8(template.slice(last, m.index)));
    const value = Object.prototype.hasOwnProperty.call(values, m[1]) ? values[m[1]] : m[0];
    out = out.concat(typeof value === 'string' ? signerUtf8(value) : value);
    last = re.lastIndex;
  }
  return out.concat(signerUtf8(template.slice(last)));
}

function signerClock(format, ms) {
  if (format === 'iso8601') { return new Date(ms).toISOString(); }
  if (format === 's') { return String(Math.floor(ms / 1000)); }
  if (format === 'us') { return String(ms) + '000'; }
  return String(ms);
}

function signerDigest(crypto, algorithm, secret, payload, secretKey, output) {
  let raw;
  if (algorithm.indexOf('hmac-') === 0) {
    const key = secret === 'base64' ? signerBase64Decode(secretKey) : signerUtf8(secretKey);
    raw = crypto.hmac(algorithm.slice(5), key, payload);
  } else {
    raw = crypto.hash(algorithm, payload);
  }
  if (output === 'raw') { return raw; }
  if (output === 'base64') { return signerBase64(raw); }
  return output === 'hex-upper' ? signerHex(raw).toUpperCase() : signerHex(raw);
}

function signerParameters(sig) {
  const out = [];
  if (sig['key-parameter']) { out.push([sig['key-parameter'], '{api_key}']); }
  Object.keys(sig.parameters || {}).forEach(function (k) { out.push([k, sig.parameters[k]]); });
  if (sig.parameter) { out.push([sig.parameter, '{signature}']); }
  return out;
}

function signerPut(pairs, name, value) {
  for (let i = 0; i < pairs.length; i += 1) {
    if (pairs[i][0] === name) { pairs[i] = [name, value]; return; }
  }
  pairs.push([name, value]);
}

function signRequest(sig, request, credentials, crypto) {
  const canon = sig.canonical || {};
  const params = signerParameters(sig);
  const late = params.filter(function (p) { return signerPlaceholders(p[1]).indexOf('signature') !== -1; })
    .map(function (p) { return p[0]; });
  const headers = Object.keys(sig.headers || {}).map(function (k) { return [k, sig.headers[k]]; });
  const digests = Object.keys(sig.digests || {}).map(function (k) { return [k, sig.digests[k]]; });
  const values = {
    api_key: credentials.apiKey,
    secret_key: credentials.secretKey,
    passphrase: credentials.passphrase || '',
    timestamp: signerClock(sig.timestamp || 'ms', request.nowMs),
    nonce: signerClock(sig.nonce || 'ms', request.nowMs),
  };
  // A tool's empty signature slots are neither signed nor kept: the signature goes last.
  function copy(pairs) {
    return pairs.filter(function (p) { return late.indexOf(p[0]) === -1; }).map(function (p) { return [p[0], p[1]]; });
  }
  const query = copy(request.query);
  const form = request.form ? copy(request.form) : null;
  const target = form || query;
  const early = { api_key: values.api_key, passphrase: values.passphrase, timestamp: values.timestamp, nonce: values.nonce };
  params.forEach(function (p) {
    if (late.indexOf(p[0]) === -1) { signerPut(target, p[0], signerUtf8Decode(signerFill(p[1], early))); }
  });
  const excluded = late.concat(canon.exclude || []);
  const items = target.filter(function (p) { return excluded.indexOf(p[0]) === -1; });
  if ((canon.sort || 'name') === 'name') {
    items.sort(function (a, b) {
      if (a[0] !== b[0]) { return a[0] < b[0] ? -1 : 1; }
      return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    });
  }
  const pair = canon.pair === undefined ? '=' : canon.pair;
  const join = canon.join === undefined ? '&' : canon.join;
  values.canonical = items.map(function (p) {
    return canon.values === 'urlencoded' ? signerQuote(p[0]) + pair + signerQuote(p[1]) : p[0] + pair + p[1];
  }).join(join);
  values.method = request.method.toUpperCase();
  values.path = request.path;
  values.url_path = request.urlPath;
  values.query = signerEncodePairs(query);
  values['?query'] = values.query ? '?' + values.query : '';
  values.body = form ? signerEncodePairs(form) : (request.body || '');
  digests.forEach(function (d) {
    values[d[0]] = signerDigest(crypto, d[1].algorithm, d[1].secret || 'raw', signerFill(d[1].payload, values),
      credentials.secretKey, d[1].output || 'hex-lower');
  });
  values.signature = signerDigest(crypto, sig.algorithm, sig.secret || 'raw', signerFill(sig.payload, values),
    credentials.secretKey, sig.output || 'hex-lower');
  params.forEach(function (p) {
    if (late.indexOf(p[0]) !== -1) { signerPut(target, p[0], signerUtf8Decode(signerFill(p[1], values))); }
  });
  const outHeaders = {};
  headers.forEach(function (h) { outHeaders[h[0]] = signerUtf8Decode(signerFill(h[1], values)); });
  return { query: query, form: form, headers: outHeaders };
}

// crypto-js (in the Postman and Insomnia sandboxes) as the byte-array crypto signRequest uses.
function cryptoJsProvider(CryptoJS) {
  const names = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512' };
  function words(bytes) {
    const w = [];
    for (let i = 0; i < bytes.length; i += 1) { w[i >>> 2] |= bytes[i] << (24 - (i % 4) * 8); }
    return CryptoJS.lib.WordArray.create(w, bytes.length);
  }
  function bytesOf(wordArray) {
    const out = [];
    for (let i = 0; i < wordArray.sigBytes; i += 1) { out.push((wordArray.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 255); }
    return out;
  }
  function name(algorithm) {
    if (!names[algorithm]) { throw new Error('unsupported signature algorithm ' + algorithm); }
    return names[algorithm];
  }
  return {
    hash: function (algorithm, bytes) { return bytesOf(CryptoJS[name(algorithm)](words(bytes))); },
    hmac: function (algorithm, key, bytes) { return bytesOf(CryptoJS['Hmac' + name(algorithm)](words(bytes), words(key))); },
  };
}
