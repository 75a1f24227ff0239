// Prompt and value templates rendered as promptfoo 0.123.1 renders them: its own steps
// (src/evaluatorHelpers.ts renderPrompt, src/util/templates.ts), ported line for line, over the
// real nunjucks 3.2.4 (vendored: vendor/nunjucks-3.2.4.min.js, BSD-2-Clause, vendor/nunjucks-LICENSE).
// Vars arrive with file:// values already read (newsdesk's suite loader does that, as promptfoo does).
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const nunjucks = require("./vendor/nunjucks-3.2.4.min.js");

const engines = new Map();

// promptfoo's getNunjucksEngine: no autoescape, `env` (process.env then the suite's `env`), `load`,
// then the suite's nunjucksFilters ({name: file}: the module's default export, as importModule).
function engine(suiteEnv, filterFiles = {}, filters = {}) {
  const key = JSON.stringify([suiteEnv ?? {}, filterFiles ?? {}]); // files: functions do not stringify
  let env = engines.get(key);
  if (!env) {
    env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });
    env.addGlobal("env", { ...process.env, ...(suiteEnv ?? {}) });
    env.addFilter("load", (str) => JSON.parse(str));
    for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
    engines.set(key, env);
  }
  return env;
}

const filterModules = new Map();

async function loadFilters(files) {
  const out = {};
  for (const [name, file] of Object.entries(files ?? {})) {
    if (!filterModules.has(file)) {
      const mod = await import(pathToFileURL(file).href);
      filterModules.set(file, mod.default ?? mod);
    }
    out[name] = filterModules.get(file);
  }
  return out;
}

function resolveVariables(variables) {
  let resolved;
  const regex = /\{\{\s*(\w+)\s*\}\}/;
  let iterations = 0;
  do {
    resolved = true;
    for (const key of Object.keys(variables)) {
      if (typeof variables[key] !== "string") continue;
      const value = variables[key];
      const match = regex.exec(value);
      if (match) {
        const [placeholder, varName] = match;
        if (variables[varName] !== undefined) {
          variables[key] = value.replace(placeholder, variables[varName]);
          resolved = false;
        }
      }
    }
    iterations++;
  } while (!resolved && iterations < 5);
  return variables;
}

function autoWrapRawIfPartialNunjucks(prompt) {
  const hasPartialTag = /({%[^%]*$|{{[^}]*$|{#[^#]*$)/m.test(prompt);
  const alreadyWrapped = /{\%\s*raw\s*\%}/.test(prompt) && /{\%\s*endraw\s*\%}/.test(prompt);
  if (hasPartialTag && !alreadyWrapped) return `{% raw %}${prompt}{% endraw %}`;
  return prompt;
}

function extractVariablesFromTemplate(template) {
  const variableSet = new Set();
  const regex = /\{\{[\s]*([^{}\s|]+)[\s]*(?:\|[^}]+)?\}\}|\{%[\s]*(?:if|for)[\s]+([^{}\s]+)[\s]*.*?%\}/g;
  template = template.replace(/\{#[\s\S]*?#\}/g, "");
  let match;
  while ((match = regex.exec(template)) !== null) {
    const variable = match[1] || match[2];
    if (variable) variableSet.add(variable);
  }
  const forLoopRegex = /\{%[\s]*for[\s]+(\w+)[\s]+in[\s]+(\w+)[\s]*%\}/g;
  while ((match = forLoopRegex.exec(template)) !== null) {
    variableSet.delete(match[1]);
    variableSet.add(match[2]);
  }
  return Array.from(variableSet);
}

function referencesUndefinedVariables(template, vars) {
  return extractVariablesFromTemplate(template).some((variableName) => {
    const root = /^([A-Za-z_]\w*)/.exec(variableName)?.[1];
    return Boolean(root && root !== "env" && vars[root] === undefined);
  });
}

function renderVarsInObject(obj, vars, env) {
  if (typeof obj === "string") return env.renderString(obj, vars);
  if (Array.isArray(obj)) return obj.map((item) => renderVarsInObject(item, vars, env));
  if (typeof obj === "object" && obj !== null) {
    const result = {};
    for (const key in obj) result[key] = renderVarsInObject(obj[key], vars, env);
    return result;
  }
  return obj;
}

// renderPrompt after its file:// step: {prompt, vars} (promptfoo grades with these vars: trailing
// newline dropped, `{{ name }}` references resolved).
export async function renderPrompt(raw, inputVars, suiteEnv, filterFiles) {
  const env = engine(suiteEnv, filterFiles, await loadFilters(filterFiles));
  const vars = { ...inputVars };
  for (const key of Object.keys(vars)) {
    if (typeof vars[key] === "string") vars[key] = vars[key].replace(/\n$/, "");
  }
  resolveVariables(vars);
  try {
    const parsed = JSON.parse(raw);
    return { prompt: JSON.stringify(renderVarsInObject(parsed, vars, env), null, 2), vars };
  } catch {
    const renderedVars = Object.fromEntries(
      Object.entries(vars).map(([key, value]) => {
        if (typeof value !== "string") return [key, value];
        if (referencesUndefinedVariables(value, vars)) return [key, value];
        return [key, env.renderString(autoWrapRawIfPartialNunjucks(value), vars)];
      }),
    );
    return { prompt: env.renderString(autoWrapRawIfPartialNunjucks(raw), renderedVars), vars };
  }
}

// An assertion value, a metric name: nunjucks.renderString over the vars.
export function renderString(template, vars, suiteEnv) {
  return engine(suiteEnv).renderString(template, vars);
}

// promptfoo's renderLlmRubricPrompt (src/matchers/shared.ts): object vars as JSON text
// (processContextForTemplating), a JSON prompt rendered string by string and re-serialised, else
// the whole text rendered. Its grading engine is built when the module loads, before a config's
// `env` is known: the process environment only.
export function renderGradingPrompt(rubricPrompt, context) {
  const processed = Object.fromEntries(
    Object.entries(context).map(([key, value]) => {
      if (value && typeof value === "object") {
        if (Array.isArray(value)) {
          return [key, value.map((item) => (item && typeof item === "object" ? JSON.stringify(item) : item))];
        }
        return [key, JSON.stringify(value)];
      }
      return [key, value];
    }),
  );
  const env = engine({});
  try {
    const parsed = JSON.parse(rubricPrompt, (_k, v) => (typeof v === "string" ? env.renderString(v, processed) : v));
    return JSON.stringify(parsed);
  } catch {
    // not JSON (or a string in it failed to render): the whole text is the template
  }
  return env.renderString(rubricPrompt, processed);
}
