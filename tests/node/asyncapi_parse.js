// Parse AsyncAPI documents with the reference parser (@asyncapi/parser); print one JSON line per
// file: {"file": ..., "errors": [messages of error-severity diagnostics]}.
const { Parser, fromFile } = require('@asyncapi/parser');

(async () => {
  const parser = new Parser();
  for (const file of process.argv.slice(2)) {
    const { diagnostics } = await fromFile(parser, file).parse();
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message}`);
    console.log(JSON.stringify({ file, errors }));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
