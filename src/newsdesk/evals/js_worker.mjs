// newsdesk eval's JavaScript worker: runs `javascript` assertions and JavaScript transforms the
// way promptfoo does (new Function("output", "context", body); file:// modules by import()).
// One JSON request per stdin line, one JSON reply per stdout line:
//   {"id": 1, "code": "...", "file": null, "fn": null, "arg": <output or vars>, "context": {...},
//    "expr": true}
//   -> {"id": 1, "ok": true, "value": <result>} | {"id": 1, "ok": false, "error": "..."}
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { runCheck } from "./js_checks.mjs";
import { RAG_PROMPTS, ragStatements, ragVerdict } from "./js_rag.mjs";
import { renderGradingPrompt, renderPrompt, renderString } from "./js_render.mjs";

// stdout carries the replies, one JSON line each: a user's console.log / info / debug must not
// land there (it would be read as the reply to the next request), so it goes to stderr.
const toStderr = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
console.log = console.info = console.debug = toStderr;

function buildFunctionBody(code) {
  // promptfoo's rule: a single line is an expression (a leading `const x = ...;` declaration
  // keeps its statements and returns the last expression); several lines are a function body.
  const trimmed = code.trim().replace(/;+\s*$/, "");
  if (/^(const|let|var)\s/.test(trimmed)) {
    const last = trimmed.lastIndexOf(";");
    if (last !== -1) {
      const expression = trimmed.slice(last + 1).trim();
      if (expression) return `${trimmed.slice(0, last + 1)} return ${expression}`;
    }
    return trimmed;
  }
  return `return ${trimmed}`;
}

const modules = new Map();

async function load(file, fn) {
  let mod = modules.get(file);
  if (!mod) {
    mod = await import(pathToFileURL(file).href);
    modules.set(file, mod);
  }
  let f = fn ? mod[fn] ?? mod.default?.[fn] : mod.default ?? mod;
  if (typeof f !== "function" && f && typeof f.default === "function") f = f.default;
  if (typeof f !== "function") throw new Error(`${file} exports no function${fn ? ` ${fn}` : ""}`);
  return f;
}

// promptfoo itself (its public API), imported on first use: loading it takes seconds
let promptfoo;

async function promptfooAssert(entry, request) {
  promptfoo ??= await import(pathToFileURL(entry).href);
  let result;
  const spec = request.providerSpec;
  delete request.providerSpec;
  if (spec) {
    // promptfoo's own provider for an openai id (the function-call check is its method), else
    // an object with the config (other providers have no such method, as in promptfoo)
    request.provider = spec.id.startsWith("openai:")
      ? await promptfoo.loadApiProvider(spec.id, { options: { config: spec.config } })
      : { id: () => spec.id, config: spec.config };
  }
  try {
    result = await promptfoo.assertions.runAssertion(request);
  } catch (err) {
    // promptfoo's evaluator records what its runAssertion throws as String(err) ("Error: ...")
    throw new Error(String(err));
  }
  return { pass: result.pass, score: result.score, reason: result.reason };
}

// promptfoo's updateDerivedMetrics, after each of one prompt's cases in turn: arg.rows are what
// each case adds to the prompt's named scores, arg.metrics the suite's derivedMetrics; mathjs is
// promptfoo's own (req.file: its entry). Returns the prompt's final named scores.
let mathjs;

function derivedMetrics(entry, { metrics, rows }) {
  mathjs ??= createRequire(entry)("mathjs");
  const namedScores = {};
  rows.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) namedScores[key] = (namedScores[key] ?? 0) + value;
    const evalContext = { ...namedScores, __count: i + 1 };
    for (const metric of metrics) {
      namedScores[metric.name] ??= 0;
      try {
        namedScores[metric.name] = mathjs.evaluate(metric.value, evalContext);
        evalContext[metric.name] = namedScores[metric.name];
      } catch {
        // promptfoo logs the failure at debug level and keeps the last value
      }
    }
  });
  return namedScores;
}

async function run(req) {
  // templates: arg is the vars, code the template, context {env} (the suite's env)
  if (req.kind === "render_prompt") {
    return await renderPrompt(req.code, req.arg, req.context.env, req.context.filters);
  }
  if (req.kind === "render") return renderString(req.code, req.arg, req.context.env);
  if (req.kind === "check") return runCheck(req.arg);
  if (req.kind === "promptfoo_assert") return promptfooAssert(req.file, req.arg);
  if (req.kind === "derived_metrics") return derivedMetrics(req.file, req.arg);
  if (req.kind === "rag_prompt") return RAG_PROMPTS[req.arg];
  if (req.kind === "rag_verdict") return ragVerdict(req.arg);
  if (req.kind === "rag_statements") return ragStatements(req.arg);
  if (req.kind === "render_grading") return renderGradingPrompt(req.code, req.arg);
  if (req.kind === "regex_test") return new RegExp(req.arg.pattern, req.arg.flags).test(req.arg.text);
  if (req.kind === "json_error") {
    // what JSON.parse (and so fetch's response.json()) says of a text, null when it parses
    try {
      JSON.parse(req.arg);
      return null;
    } catch (err) {
      return err.message;
    }
  }
  if (req.kind === "regex_syntax") {
    try {
      new RegExp(req.code);
      return null;
    } catch (err) {
      return err.message;
    }
  }
  // promptfoo passes the provider object itself: `context.provider.id()` is a method
  const provider = req.context?.provider;
  if (provider && typeof provider.id === "string") {
    const id = provider.id;
    provider.id = () => id;
  }
  if (req.file) {
    const f = await load(req.file, req.fn);
    return await f(req.arg, req.context);
  }
  let body = req.code;
  if (req.kind === "assert") {
    body = body.trimEnd();
    body = body.includes("\n") ? body : buildFunctionBody(body);
  } else {
    body = body.includes("\n") ? body : `return ${body}`;
  }
  const f = new Function(req.kind === "vars" ? "vars" : "output", "context", "process", body);
  return await f(req.arg, req.context, process);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: null, ok: false, error: String(err) }) + "\n");
    continue;
  }
  try {
    const value = await run(req);
    const reply = { id: req.id, ok: true, value: value === undefined ? null : value };
    reply.undefined = value === undefined;
    process.stdout.write(JSON.stringify(reply) + "\n");
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    process.stdout.write(JSON.stringify({ id: req.id, ok: false, error: message }) + "\n");
  }
}
