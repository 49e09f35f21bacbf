// Runs a collection's pre-request signing script outside Postman, on one request.
// stdin: {"script", "method", "path": [...], "in": "query" | "body" | "json", "params": [[k, v], ...],
//         "query": [[k, v], ...] (with a body), "body": "raw JSON", "variables": {name: value},
//         "nowMs": number}
// stdout: {"params": the signed location's parameters afterwards, "headers": {name: value}}.
// `pm` is a stub of what the script uses; CryptoJS is a stub over node:crypto with crypto-js's
// WordArray shape (big-endian 32-bit words + sigBytes), so the script's conversions are exercised;
// newman runs the real sandbox elsewhere.
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

function toBuffer(wordArray) {
  const out = Buffer.alloc(wordArray.sigBytes);
  for (let i = 0; i < wordArray.sigBytes; i += 1) {
    out[i] = (wordArray.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 255;
  }
  return out;
}
function fromBuffer(buffer) {
  const words = [];
  for (let i = 0; i < buffer.length; i += 1) { words[i >>> 2] |= buffer[i] << (24 - (i % 4) * 8); }
  return create(words, buffer.length);
}
function create(words, sigBytes) {
  return {
    words: words, sigBytes: sigBytes,
    toString: function (enc) { return toBuffer(this).toString(enc === 'base64' ? 'base64' : 'hex'); },
  };
}
function input(data) { return typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data); }
function hash(name) {
  return function (data) { return fromBuffer(crypto.createHash(name).update(input(data)).digest()); };
}
function mac(name) {
  return function (data, key) { return fromBuffer(crypto.createHmac(name, input(key)).update(input(data)).digest()); };
}
const CryptoJS = {
  MD5: hash('md5'), SHA1: hash('sha1'), SHA256: hash('sha256'), SHA384: hash('sha384'), SHA512: hash('sha512'),
  HmacMD5: mac('md5'), HmacSHA1: mac('sha1'), HmacSHA256: mac('sha256'), HmacSHA384: mac('sha384'),
  HmacSHA512: mac('sha512'),
  lib: { WordArray: { create: create } },
  enc: { Hex: 'hex', Base64: 'base64' },
};

let stdin = '';
process.stdin.on('data', function (chunk) { stdin += chunk; });
process.stdin.on('end', function () {
  const req = JSON.parse(stdin);
  const params = list(req.params);
  const query = req.in === 'query' ? params : list(req.query || []);
  const headers = list([]);
  let body;
  if (req.in === 'body') { body = { mode: 'urlencoded', urlencoded: params }; }
  if (req.in === 'json') { body = { mode: 'raw', raw: req.body }; }
  const pm = {
    request: { method: req.method, url: { path: req.path, query: query }, body: body, headers: headers },
    variables: {
      get: function (name) { return req.variables[name]; },
      replaceIn: function (text) {
        return text.replace(/\{\{([^}]+)\}\}/g, function (m, name) {
          return req.variables[name] === undefined ? m : req.variables[name];
        });
      },
    },
  };
  const realNow = Date.now;
  if (req.nowMs) { Date.now = function () { return req.nowMs; }; }
  const run = new Function('pm', 'require', req.script);
  run(pm, function (name) {
    if (name !== 'crypto-js') { throw new Error('unexpected require ' + name); }
    return CryptoJS;
  });
  Date.now = realNow;
  const out = {};
  headers.items.forEach(function (h) { out[h.key] = h.value; });
  process.stdout.write(JSON.stringify({
    params: params.items.map(function (i) { return [i.key, i.value]; }),
    headers: out,
  }));
});
