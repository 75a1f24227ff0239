// Evaluates promptfoo's grading prompt constants (src/prompts/grading.ts in its dist build) with
// the real `dedent`, printing them as JSON: {NAME: "the prompt"} (test_eval_promptfoo_docs.py).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const pf = process.argv[2];
const require = createRequire(pf + "/package.json");
const dedentMod = await import(require.resolve("dedent"));
const dedent = dedentMod.default ?? dedentMod;
const src = readFileSync(pf + "/dist/src/index.js", "utf8");
const names = ["DEFAULT_GRADING_PROMPT", "PROMPTFOO_FACTUALITY_PROMPT", "OPENAI_CLOSED_QA_PROMPT", "SELECT_BEST_PROMPT"];
const out = {};
for (const name of names) {
  const start = src.indexOf(`const ${name} = `);
  const end = src.indexOf("}]);\n", start) + 4;
  const code = src.slice(start, end).replace(`const ${name} = `, "return ");
  out[name] = new Function("dedent", code)(dedent);
}
// G-Eval's and answer-relevance's prompts are plain template literals (no dedent, no interpolation)
for (const name of ["GEVAL_PROMPT_STEPS", "GEVAL_PROMPT_EVALUATE", "ANSWER_RELEVANCY_GENERATE"]) {
  const start = src.indexOf(`const ${name} = \``);
  const end = src.indexOf("`;\n", start) + 1;
  out[name] = new Function(src.slice(start, end).replace(`const ${name} = `, "return "))();
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
