// Runs one request's Insomnia pre-request script outside Insomnia.
// stdin: {"script", "name", "method", "url", "in": "query" | "body", "params": [[k, v], ...],
//         "environment": {name: value}, "baseEnvironment": {name: value}}
// stdout: the request's parameters afterwards, [[k, v], ...].
// `insomnia` is a small stand-in for the documented scripting objects the script uses, with their
// semantics (insomnia-scripting-environment): `url.query` is a fresh PropertyList over the URL's
// QueryParams on every read, `addQueryParams` replaces that array, `QueryParam.update({key, value})`
// changes a parameter in place, `body.urlencoded` is a PropertyList of the body's parameters.
// require('crypto-js') is a stub over node:crypto (same digests of the UTF-8 payload).
'use strict';
const crypto = require('crypto');

function QueryParam(key, value) {
  this.key = key;
  this.value = value;
  this.disabled = false;
}
QueryParam.prototype.update = function (param) {
  this.key = param.key;
  this.value = param.value;
};

function PropertyList(items) {
  this.list = items;
}
PropertyList.prototype.each = function (fn) { this.list.forEach(fn); };
PropertyList.prototype.find = function (fn) { return this.list.find(fn); };
PropertyList.prototype.add = function (item) { this.list.push(item); };

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

function scope(values) {
  return {
    get: function (name) { return values[name]; },
    replaceIn: function (text) {
      return text.replace(/\{\{\s*(?:_\.)?([\w-]+)\s*\}\}/g, function (_, n) { return values[n] || ''; });
    },
  };
}

let input = '';
process.stdin.on('data', function (chunk) { input += chunk; });
process.stdin.on('end', function () {
  const req = JSON.parse(input);
  const params = req.params.map(function (p) { return new QueryParam(p[0], p[1]); });
  let queryParams = req.in === 'query' ? params : [];
  const url = {
    get query() { return new PropertyList(queryParams); },
    addQueryParams: function (more) {
      queryParams = queryParams.concat(more.map(function (p) { return new QueryParam(p.key, p.value); }));
    },
  };
  const body = req.in === 'body' ? { mode: 'urlencoded', urlencoded: new PropertyList(params) } : { mode: undefined };
  const insomnia = {
    request: { name: req.name, method: req.method, url: url, body: body },
    environment: scope(req.environment),
    baseEnvironment: scope(req.baseEnvironment),
  };
  const run = new Function('insomnia', 'require', req.script);
  run(insomnia, function (name) {
    if (name !== 'crypto-js') { throw new Error('unexpected require ' + name); }
    return CryptoJS;
  });
  const after = req.in === 'query' ? queryParams : body.urlencoded.list;
  process.stdout.write(JSON.stringify(after.map(function (i) { return [i.key, i.value]; })));
});
