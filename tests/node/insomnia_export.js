#!/usr/bin/env node
// Imports an Insomnia export file the way Insomnia does (insomnia-importers `convert(rawString)`) and
// prints a JSON summary: {"importer", "workspaces", "environments": [{"name", "parentId", "data"}],
// "groups": [{"id", "name", "parentId"}], "requests": [{"name", "method", "url", "parentId",
// "parameters", "body"}], "logged"}. Exit status 1 if the importer logged anything or failed.
'use strict';

const fs = require('fs');
const { convert } = require('insomnia-importers');

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: insomnia_export.js EXPORT_FILE\n');
    process.exit(2);
  }
  const raw = fs.readFileSync(file, 'utf8');
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
  const of = (type) => resources.filter((r) => r._type === type);
  const summary = {
    importer: result.type.id,
    workspaces: of('workspace').map((r) => ({ id: r._id, name: r.name })),
    environments: of('environment').map((r) => ({ name: r.name, parentId: r.parentId, data: r.data })),
    groups: of('request_group').map((r) => ({ id: r._id, name: r.name, parentId: r.parentId })),
    requests: of('request').map((r) => ({
      name: r.name,
      method: r.method,
      url: r.url,
      parentId: r.parentId,
      parameters: (r.parameters || []).map((p) => p.name),
      body: r.body ? { mimeType: r.body.mimeType, params: (r.body.params || []).map((p) => p.name) } : null,
    })),
    logged,
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  process.exit(logged.length ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
