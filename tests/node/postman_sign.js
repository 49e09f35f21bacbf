// Runs a collection's pre-request signing script outside Postman, on one request.
// stdin: {"script", "method", "path": [...], "in": "query" | "body" | "json", "params": [[k, v], ...],
//         "query": [[k, v], ...] (with a body), "body": "raw JSON", "variables": {name: value},
//         "nowMs": number}
// stdout: {"params": the signed location's parameters afterwards, "headers": {name: value}}.
// `pm` is a stub of what the script uses; CryptoJS is crypto_js_stub.js; newman runs the real
// sandbox elsewhere.
'use strict';
const CryptoJS = require('./crypto_js_stub');

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
