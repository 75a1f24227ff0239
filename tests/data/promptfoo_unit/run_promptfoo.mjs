// Runs each ported case through the installed promptfoo's public assertions.runAssertion, the
// verdict the cases must match (tests/node/evals/test_promptfoo_unit_cases.py).
// usage: node run_promptfoo.mjs PROMPTFOO_ENTRY < cases.json > verdicts.json
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const promptfoo = await import(pathToFileURL(process.argv[2]).href);
// JSON has no NaN or Infinity: the harness writes them as {"$float": "nan" | "inf" | "-inf"}
const FLOATS = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY };
// stdin read as a stream: readFileSync(0) fails with EAGAIN on a non-blocking pipe
let input = "";
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input, (_, v) =>
  v && typeof v === "object" && "$float" in v ? FLOATS[v.$float] : v,
);
const out = [];
const home = process.cwd();
for (const c of cases) {
  // a case's files (a schema) in a folder of their own, where its file:// paths start
  const dir = c.files ? mkdtempSync(path.join(tmpdir(), "pfunit-")) : null;
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(path.join(dir, name), text);
  process.chdir(dir ?? home);
  const vars = c.vars ?? {};
  const request = {
    assertion: c.assertion,
    test: { vars, assert: [c.assertion], ...(c.test ?? {}) },
    vars,
    prompt: c.prompt,
    providerResponse: { output: c.output, ...(c.provider_response ?? {}) },
    latencyMs: c.latency_ms,
  };
  try {
    const r = await promptfoo.assertions.runAssertion(request);
    out.push({ pass: r.pass, score: r.score, reason: r.reason });
  } catch (err) {
    out.push({ error: String(err?.message ?? err) });
  }
  process.chdir(home);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
// promptfoo keeps handles open (its database, loggers): leave once the verdicts are written
process.stdout.write(JSON.stringify(out), () => process.exit(0));
