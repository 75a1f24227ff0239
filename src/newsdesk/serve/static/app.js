// newsdesk's page. Every text from the article, the model or the history is set with
// textContent, never parsed as HTML: article text is hostile, and the CSP forbids inline script.
"use strict";

const state = { article: "", sentences: new Map(), token: sessionStorage.getItem("newsdesk-token") || "" };
const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  if (state.token) h.Authorization = "Bearer " + state.token;
  return h;
}

async function api(path, body) {
  const resp = await fetch(path, body === undefined ? { headers: headers() } : { method: "POST", headers: headers(), body: JSON.stringify(body) });
  let data = null;
  try { data = await resp.json(); } catch (e) { data = { error: "HTTP " + resp.status }; }
  if (resp.status === 401) $("#auth").hidden = false;
  if (!resp.ok) throw new Error(data.error || "HTTP " + resp.status);
  return data;
}

// ---------------------------------------------------------------- the article

async function readArticle(text) {
  $("#article-error").textContent = "";
  const list = $("#sentences");
  list.replaceChildren();
  state.sentences.clear();
  try {
    const data = await api("/api/article", { article: text });
    state.article = text;
    for (const s of data.sentences) {
      state.sentences.set(s.id, s.text);
      list.append(el("li", { id: "sent-" + s.id, "data-id": s.id, text: s.text }));
    }
  } catch (e) {
    state.article = "";
    $("#article-error").textContent = e.message;
  }
}

function highlight(id) {
  for (const li of document.querySelectorAll(".sentences li.highlight")) li.classList.remove("highlight");
  const li = document.getElementById("sent-" + id);
  if (!li) return;
  li.classList.add("highlight");
  li.scrollIntoView({ block: "center" });
}

// ---------------------------------------------------------------- rendering results

function isCitation(v) {
  return v && typeof v === "object" && typeof v.id === "string" && /^S\d+$/.test(v.id) && typeof v.text === "string";
}

function citationLink(c) {
  const who = c.source && c.source.label ? c.source.label : "";
  const b = el("button", { type: "button", class: "cite", "data-sid": c.id, title: (who ? who + ": " : "") + c.text, text: c.id });
  b.addEventListener("click", () => highlight(c.id));
  return who ? el("span", {}, b, el("span", { class: "who", text: who })) : b;
}

function citations(list) {
  const span = el("span", { class: "citations" });
  for (const c of list || []) span.append(citationLink(c), " ");
  return span;
}

function verdict(ok, label) {
  return el("span", { class: "badge " + (ok ? "ok" : "bad"), text: label });
}

function renderAsk(r) {
  const box = el("div", { class: r.supported ? "supported" : "unsupported" });
  box.append(el("p", { class: "answer" }, el("span", { class: "text", text: r.answer }),
    verdict(r.supported, r.supported ? r.grounding : "unsupported")));
  if (r.reason) box.append(el("p", { class: "muted", text: r.reason }));
  box.append(citations(r.citations));
  for (const c of r.citations || []) box.append(el("p", { class: "quote", text: "[" + c.id + "] " + c.text }));
  return box;
}

function renderCheck(r) {
  const ol = el("ol", { class: "lines" });
  for (const s of r.sentences || []) {
    const li = el("li", { class: s.supported ? "supported" : "failed unsupported", "data-verdict": s.verdict },
      el("span", { class: "text", text: s.text }), verdict(s.supported, s.verdict), " ",
      el("span", { class: "muted", text: s.reason }), " ", citations(s.citations));
    ol.append(li);
  }
  return el("div", {}, el("p", { class: "muted", text: "score " + r.score }), ol);
}

function renderSummary(r) {
  const ol = el("ul", { class: "lines" });
  for (const line of r.lines || []) {
    ol.append(el("li", { class: line.supported ? "supported" : "unsupported" },
      el("span", { class: "text", text: line.text }), line.supported ? "" : verdict(false, "unsupported"), " ", citations(line.citations)));
  }
  return ol;
}

// Stance and brief: their records are nested; shown as a tree, citations as links, any
// object with supported=false marked.
function renderTree(value, depth = 0) {
  if (isCitation(value)) return citationLink(value);
  if (Array.isArray(value)) {
    if (value.length && value.every(isCitation)) return citations(value);
    const ul = el("ul", { class: "tree" });
    for (const v of value) ul.append(el("li", {}, renderTree(v, depth + 1)));
    return ul;
  }
  if (value && typeof value === "object") {
    const div = el("div", { class: "tree" + (value.supported === false ? " unsupported" : "") });
    for (const [k, v] of Object.entries(value)) {
      if (k === "usage" || v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
      div.append(el("div", {}, el("span", { class: "key", text: k + ": " }), renderTree(v, depth + 1)));
    }
    if (value.supported === false) div.prepend(verdict(false, "unsupported"));
    return div;
  }
  return el("span", { class: "text", text: String(value) });
}

const RENDER = { ask: renderAsk, check: renderCheck, summarize: renderSummary, stance: renderTree, brief: renderTree };

// ---------------------------------------------------------------- running a task (SSE)

function describe(ev) {
  switch (ev.event) {
    case "start": return "starting (" + ev.sentences + " sentences)…";
    case "queued": return "waiting for the model: place " + ev.position + " in the queue…";
    case "reading": return ev.known ? "the model has read this article; answering…" : "reading the article…";
    case "call": return "model call " + ev.n + " done (" + ev.what + ", " + ev.seconds + " s)…";
    case "progress": return "part " + ev.done + " of " + ev.total + "…";
    default: return "";
  }
}

async function runTask(task, fields, panel) {
  const progress = $(".progress", panel), result = $(".result", panel), button = $("button[type=submit]", panel);
  result.replaceChildren();
  if (!state.article) { progress.textContent = "Read an article first."; return; }
  button.disabled = true;
  progress.textContent = "sending…";
  try {
    const resp = await fetch("/api/" + task + "/stream", { method: "POST", headers: headers(), body: JSON.stringify({ article: state.article, ...fields }) });
    if (!resp.ok) {
      let msg = "HTTP " + resp.status;
      try { msg = (await resp.json()).error || msg; } catch (e) { /* not JSON */ }
      if (resp.status === 401) $("#auth").hidden = false;
      throw new Error(msg);
    }
    const reader = resp.body.getReader(), decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const chunk = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = chunk.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (!data) continue;
        const ev = JSON.parse(data);
        if (ev.event === "done") {
          progress.textContent = "done";
          result.replaceChildren(RENDER[task](ev.record));
          loadHistory();
        } else if (ev.event === "error") {
          throw new Error(ev.error);
        } else {
          progress.textContent = describe(ev);
        }
      }
    }
  } catch (e) {
    progress.textContent = "";
    result.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- history

async function loadHistory() {
  const ul = $("#history");
  try {
    const data = await api("/api/history");
    ul.replaceChildren();
    for (const e of data.entries) {
      const what = e.input.question || e.input.length || (e.input.draft ? "draft: " + e.input.draft.slice(0, 60) : "");
      const b = el("button", { type: "button" }, el("strong", { text: e.task }), " ", what ? "“" + what + "” " : "",
        el("span", { class: "muted", text: "— " + e.title }));
      b.addEventListener("click", () => openEntry(e.id));
      ul.append(el("li", {}, b));
    }
  } catch (e) {
    ul.replaceChildren(el("li", { class: "error", text: e.message }));
  }
}

async function openEntry(id) {
  const entry = await api("/api/history/" + id);
  $("#article-text").value = entry.article;
  await readArticle(entry.article);
  const panel = showPanel(entry.task);
  const q = entry.input.question;
  if (q) $("#question").value = q;
  if (entry.input.draft) $("#draft").value = entry.input.draft;
  $(".progress", panel).textContent = "from the history";
  $(".result", panel).replaceChildren(RENDER[entry.task](entry.record));
}

// ---------------------------------------------------------------- wiring

function showPanel(name) {
  for (const tab of document.querySelectorAll(".tabs button")) tab.setAttribute("aria-selected", String(tab.dataset.panel === name));
  for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== "panel-" + name;
  return document.getElementById("panel-" + name);
}

function init() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("token")) {
    state.token = hash.get("token");
    sessionStorage.setItem("newsdesk-token", state.token);
    history.replaceState(null, "", location.pathname);
  }
  $("#token").addEventListener("change", (e) => { state.token = e.target.value; sessionStorage.setItem("newsdesk-token", state.token); loadHistory(); });
  $("#read").addEventListener("click", () => readArticle($("#article-text").value));
  $("#article-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const text = await file.text();
    $("#article-text").value = text;
    readArticle(text);
  });
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.addEventListener("click", () => { showPanel(tab.dataset.panel); if (tab.dataset.panel === "history") loadHistory(); });
  }
  for (const form of document.querySelectorAll("form[data-task]")) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const fields = {};
      for (const [k, v] of new FormData(form).entries()) if (v !== "") fields[k] = v;
      runTask(form.dataset.task, fields, form.closest(".panel"));
    });
  }
  $("#refresh-history").addEventListener("click", loadHistory);
  api("/api/info").then((i) => { $("#model").textContent = i.model + " · " + i.endpoint; }).catch(() => {});
  loadHistory();
}

document.addEventListener("DOMContentLoaded", init);
