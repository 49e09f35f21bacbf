// Runs one request's Insomnia pre-request script outside Insomnia.
// stdin: {"script", "request": a request of the v4 export (url, method, parameters, headers, body),
//         "environment": {name: value}, "baseEnvironment": {name: value}, "nowMs": number}
// stdout: the request as Insomnia takes it back after the script (mergeRequests):
//         {"url", "parameters": [[k, v], ...], "params": [[k, v], ...] (the body's), "headers": [[k, v], ...]}.
// `insomnia` is a small stand-in for the documented objects the script uses, with the semantics of
// insomnia-scripting-environment: the URL keeps its query params apart (a URL with template tags is
// kept as written, toString() gives it back), `url.query` is a fresh PropertyList over that array on
// every read, `addQueryParams` replaces the array, `PropertyList.upsert` splices the list the way
// Insomnia's does (which mangles the URL's params), `QueryParam.update` changes a param in place,
// a form body is `body.urlencoded`, a text body `body.raw`, `upsertHeader` replaces by name.
// require('crypto-js') is crypto_js_stub.js.
'use strict';
const CryptoJS = require('./crypto_js_stub');

function QueryParam(options) {
  this.key = options.key;
  this.value = options.value;
  this.disabled = options.disabled || false;
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
PropertyList.prototype.map = function (fn) { return this.list.map(fn); };
PropertyList.prototype.filter = function (fn) { return this.list.filter(fn); };
PropertyList.prototype.add = function (item) { this.list.push(item); };
PropertyList.prototype.upsert = function (item) {
  const i = this.list.findIndex(function (p) { return p.key === item.key; });
  if (i >= 0) {
    this.list = [...this.list.splice(0, i), item, ...this.list.splice(i + 1)];
    return false;
  }
  this.add(item);
  return true;
};

function Url(text) {
  this.origin = text;
  this.queryParams = [];
  this.parsed = /\{\{|\{%/.test(text) ? null : new URL(text);
  if (this.parsed) {
    const self = this;
    this.parsed.searchParams.forEach(function (value, key) { self.queryParams.push(new QueryParam({ key: key, value: value })); });
    this.parsed.search = '';
  }
}
Object.defineProperty(Url.prototype, 'query', {
  get: function () { return new PropertyList(this.queryParams); },
});
Url.prototype.addQueryParams = function (params) {
  this.queryParams = this.queryParams.concat(params.map(function (p) { return new QueryParam(p); }));
};
Url.prototype.toString = function () {
  if (!this.parsed) { return this.origin; }
  const copy = new URL(this.parsed.toString());
  copy.search = this.queryParams.map(function (p) { return p.key + '=' + p.value; }).join('&');
  return copy.toString();
};
Url.prototype.toStringWithoutQuery = function () { return this.parsed ? this.parsed.toString() : this.origin; };

function Request(raw) {
  this.name = raw.name;
  this.method = raw.method;
  this.url = new Url(raw.url);
  this.url.addQueryParams(raw.parameters.map(function (p) { return { key: p.name, value: p.value, disabled: p.disabled }; }));
  this.headers = new PropertyList(raw.headers.map(function (h) { return { key: h.name, value: h.value, disabled: h.disabled }; }));
  const body = raw.body || {};
  if (body.text !== undefined) {
    this.body = { mode: 'raw', raw: body.text };
  } else if (body.params !== undefined) {
    this.body = {
      mode: 'urlencoded',
      urlencoded: new PropertyList(body.params.map(function (p) { return new QueryParam({ key: p.name, value: p.value, disabled: p.disabled }); })),
    };
  } else {
    this.body = { mode: undefined };
  }
}
Request.prototype.upsertHeader = function (header) {
  this.headers = new PropertyList(this.headers.filter(function (h) { return h.key !== header.key; }));
  this.headers.add({ key: header.key, value: header.value });
};

function Environment(values) {
  this.get = function (name) { return values[name]; };
  this.replaceIn = function (text) {
    return text.replace(/\{\{\s*(?:_\.)?([\w-]+)\s*\}\}/g, function (_, n) { return values[n] || ''; });
  };
}

function pairs(list) {
  return list.map(function (p) { return [p.key, p.value]; });
}

let input = '';
process.stdin.on('data', function (chunk) { input += chunk; });
process.stdin.on('end', function () {
  const req = JSON.parse(input);
  const request = new Request(req.request);
  const insomnia = {
    request: request,
    environment: new Environment(req.environment),
    baseEnvironment: new Environment(req.baseEnvironment),
  };
  const realNow = Date.now;
  if (req.nowMs) { Date.now = function () { return req.nowMs; }; }
  const run = new Function('insomnia', 'require', req.script);
  run(insomnia, function (name) {
    if (name !== 'crypto-js') { throw new Error('unexpected require ' + name); }
    return CryptoJS;
  });
  Date.now = realNow;
  const body = request.body;
  process.stdout.write(JSON.stringify({
    url: request.url.toStringWithoutQuery(),
    parameters: pairs(request.url.query),
    params: body.mode === 'urlencoded' ? pairs(body.urlencoded) : [],
    headers: pairs(request.headers),
  }));
});
