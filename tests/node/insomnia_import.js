#!/usr/bin/env node
// Imports an OpenAPI file the way Insomnia does (insomnia-importers `convert(rawString)`) and prints a
// JSON summary: {"importer", "requests": [{"method", "url", "name", "parentId"}], "groups", "logged"}.
// `logged` holds what the importer printed: it logs (instead of failing) when the OpenAPI document does
// not validate, so the exit status is 1 whenever it logged anything, or if no importer took the file.
'use strict';

const fs = require('fs');
const path = require('path');
const { convert } = require('insomnia-importers');

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: insomnia_import.js SPEC_FILE\n');
    process.exit(2);
  }
  const raw = fs.readFileSync(file, 'utf8');
  process.chdir(path.dirname(path.resolve(file))); // relative $refs resolve next to the spec
  const logged = [];
  const original = console.log;
  console.log = (...args) => {
    logged.push(args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  let result;
  try {
    result = await convert(raw);
  } finally {
    console.log = original;
  }
  const resources = result.data.resources;
  const summary = {
    importer: result.type.id,
    requests: resources
      .filter((r) => r._type === 'request')
      .map((r) => ({ method: r.method, url: r.url, name: r.name, parentId: r.parentId })),
    groups: resources.filter((r) => r._type === 'request_group').map((r) => ({ id: r._id, name: r.name })),
    logged,
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  process.exit(logged.length ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
