// Runs a collection's pre-request signing script outside Postman, on one request.
// stdin: {"script", "method", "path": [...], "in": "query" | "body", "params": [[k, v], ...],
//         "variables": {name: value}}; stdout: the request's parameters afterwards, [[k, v], ...].
// `pm` is a stub of what the script uses; CryptoJS is a stub over node:crypto (same digests:
// both hash the UTF-8 bytes of the payload; newman runs the real sandbox elsewhere).
'use strict';
const crypto = require('crypto');

function list(pairs) {
  const items = pairs.map(function (p) { return { key: p[0], value: p[1] }; });
  return {
    items: items,
    each: function (fn) { items.forEach(fn); },
    upsert: function (item) {
      const found = items.find(function (i) { return i.key === item.key; });
      if (found) { found.value = item.value; } else { items.push(item); }
    },
  };
}

function digest(bytes) {
  return { toString: function (enc) { return bytes.toString(enc === 'base64' ? 'base64' : 'hex'); } };
}
function hash(name) {
  return function (payload) { return digest(crypto.createHash(name).update(payload, 'utf8').digest()); };
}
function mac(name) {
  return function (payload, key) { return digest(crypto.createHmac(name, key).update(payload, 'utf8').digest()); };
}
const CryptoJS = {
  MD5: hash('md5'), SHA1: hash('sha1'), SHA256: hash('sha256'), SHA512: hash('sha512'),
  HmacSHA256: mac('sha256'), HmacSHA512: mac('sha512'),
  enc: { Hex: 'hex', Base64: 'base64' },
};

let input = '';
process.stdin.on('data', function (chunk) { input += chunk; });
process.stdin.on('end', function () {
  const req = JSON.parse(input);
  const params = list(req.params);
  const pm = {
    request: {
      method: req.method,
      url: { path: req.path, query: req.in === 'query' ? params : list([]) },
      body: req.in === 'body' ? { mode: 'urlencoded', urlencoded: params } : undefined,
    },
    variables: {
      get: function (name) { return req.variables[name]; },
      replaceIn: function (text) { return text; },
    },
  };
  const run = new Function('pm', 'require', req.script);
  run(pm, function (name) {
    if (name !== 'crypto-js') { throw new Error('unexpected require ' + name); }
    return CryptoJS;
  });
  process.stdout.write(JSON.stringify(params.items.map(function (i) { return [i.key, i.value]; })));
});
