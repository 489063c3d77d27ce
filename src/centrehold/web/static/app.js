// centrehold dashboard: plain JavaScript, no build step. Talks to the JSON API only.
"use strict";

const $ = (id) => document.getElementById(id);
let scenarios = [];
let current = null;      // the selected scenario's info
let source = null;       // the open EventSource

const FULL_WIDTH = new Set(["national_deaths", "states", "map_deaths_per_100k"]);
const ORDER = ["national_deaths", "map_deaths_per_100k", "deaths_by_group", "segregation",
               "centre_holds", "states"];

function fmt(x) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "number") return x.toLocaleString("en-GB", {maximumFractionDigits: 2});
  return String(x);
}

function showError(msg) {
  const el = $("error");
  el.textContent = msg || "";
  el.hidden = !msg;
}

async function api(path, opts) {
  const r = await fetch(path, opts);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    let detail = body && body.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => d.msg).join("; ");
    throw new Error(detail || `${r.status} ${r.statusText}`);
  }
  return body;
}

function renderKnobs(info) {
  const box = $("knobs");
  box.innerHTML = "";
  for (const k of info.knobs) {
    const wrap = document.createElement("div");
    wrap.className = "knob";
    wrap.innerHTML = `<div class="head"><label for="knob-${k.id}">${k.label}</label>
      <output id="out-${k.id}"></output></div>
      <input type="range" id="knob-${k.id}" min="${k.min}" max="${k.max}" step="${k.step}"
             value="${k.value}" data-default="${k.value}">
      <p class="hint">${k.help}</p>`;
    box.appendChild(wrap);
    const input = wrap.querySelector("input");
    const out = wrap.querySelector("output");
    const show = () => { out.textContent = fmt(Number(input.value)); updateSize(); };
    input.addEventListener("input", show);
    show();
  }
}

function updateSize() {
  if (!current) return;
  const scale = document.getElementById("knob-scale");
  let agents = current.agents;
  const base = current.knobs.find((k) => k.id === "scale");
  if (scale && base) {
    const s = Number(scale.value);
    agents = current.model === "regional" ? Math.round(current.agents * base.value / s)
                                          : Math.round(current.agents * (s * s) / (base.value * base.value));
  }
  $("size-hint").textContent = `About ${fmt(agents)} agents.`;
}

function renderHypotheses(info) {
  const sel = $("hypothesis");
  sel.innerHTML = "";
  $("hypothesis-panel").hidden = info.hypotheses.length === 0;
  for (const h of info.hypotheses) {
    const o = document.createElement("option");
    o.value = h.id;
    o.textContent = `${h.id}: ${h.instigator === "none" ? "no instigator" : h.instigator.replace(/_/g, " ")}`;
    sel.appendChild(o);
  }
  if (info.default_hypothesis) sel.value = info.default_hypothesis;
  describeHypothesis();
}

function describeHypothesis() {
  if (!current) return;
  const h = current.hypotheses.find((x) => x.id === $("hypothesis").value);
  $("hypothesis-desc").textContent = h ? h.conjecture : "";
}

function selectScenario(name) {
  current = scenarios.find((s) => s.name === name);
  if (!current) return;
  $("scenario-desc").textContent = current.description;
  $("ticks").value = current.ticks;
  $("tick-unit").textContent = current.tick_unit !== "tick" ? `(${current.tick_unit}s)` : "";
  renderHypotheses(current);
  renderKnobs(current);
}

function knobValues() {
  const out = {};
  for (const k of current.knobs) {
    const v = Number(document.getElementById(`knob-${k.id}`).value);
    if (Math.abs(v - k.value) > 1e-12) out[k.id] = v;
  }
  return out;
}

function setProgress(st) {
  $("progress-wrap").hidden = false;
  const pct = st.total > 0 ? Math.min(100, (100 * st.done) / st.total) : 0;
  $("progress-fill").style.width = `${pct}%`;
  const status = $("status");
  status.dataset.state = st.state;
  const what = st.state === "running" ? `running: ${fmt(st.done)} of ${fmt(st.total)} ticks`
             : st.state === "queued" ? "queued: waiting for a free worker"
             : st.state === "done" ? `done in ${fmt(st.elapsed)} s (${fmt(st.agents)} agents)`
             : `failed`;
  status.textContent = what;
}

async function startRun() {
  showError("");
  const body = {
    scenario: current.name,
    hypothesis: current.hypotheses.length ? $("hypothesis").value : null,
    seed: Number($("seed").value || 0),
    ticks: Number($("ticks").value) || null,
    knobs: knobValues(),
  };
  $("run-button").disabled = true;
  try {
    const st = await api("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
    setProgress(st);
    follow(st.id);
  } catch (e) {
    showError(e.message);
    $("run-button").disabled = false;
  }
}

function follow(id) {
  if (source) source.close();
  source = new EventSource(`/api/runs/${id}/events`);
  source.addEventListener("progress", (ev) => setProgress(JSON.parse(ev.data)));
  source.addEventListener("end", async (ev) => {
    source.close();
    source = null;
    const st = JSON.parse(ev.data);
    setProgress(st);
    $("run-button").disabled = false;
    if (st.state === "error") { showError(st.error); return; }
    try { await showResults(id); } catch (e) { showError(e.message); }
  });
  source.onerror = () => { /* the browser retries by itself; the end event closes it */ };
}

function card(k, v, small) {
  return `<div class="card"><div class="v${small ? " small" : ""}">${fmt(v)}</div><div class="k">${k}</div></div>`;
}

async function showResults(id) {
  const res = await api(`/api/runs/${id}/results`);
  const s = res.summary;
  $("placeholder").hidden = true;
  const cards = $("cards");
  cards.hidden = false;
  const parts = [card("agents", s.agents), card("ticks", s.ticks),
                 card("deaths (people)", s.total_deaths), card("arrests (agents)", s.total_arrests),
                 card("peak active (agents)", s.peak_active), card("wall time (s)", s.wall_seconds)];
  if (s.start_date) parts.splice(2, 0, card("period", `${s.start_date} → ${s.end_date}`, true));
  cards.innerHTML = parts.join("");
  const box = $("charts");
  box.innerHTML = "";
  const names = Object.keys(res.figures).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  for (const name of names) {
    if (res.regional && name === "states") continue;
    const f = res.figures[name];
    const div = document.createElement("div");
    div.className = "chart" + (FULL_WIDTH.has(name) ? " full" : "");
    div.innerHTML = `<h4>${f.title}</h4><div id="chart-${name}"></div><p class="caption"></p>`;
    div.querySelector(".caption").textContent = f.caption || "";
    box.appendChild(div);
    const fig = f.figure;
    fig.layout.title = null;
    fig.layout.margin = {l: 55, r: 15, t: 20, b: 45};
    await Plotly.react(`chart-${name}`, fig.data, fig.layout, {responsive: true, displaylogo: false});
    if (fig.frames && fig.frames.length) await Plotly.addFrames(`chart-${name}`, fig.frames);
  }
  const link = $("report-link");
  link.hidden = !res.report_available;
  if (res.report_available) {
    link.innerHTML = `<a href="/api/runs/${id}/report" target="_blank" rel="noopener">Open the full HTML report of this run</a>`;
  }
}

async function loadCompare() {
  const msg = $("compare-msg");
  const box = $("compare-charts");
  box.innerHTML = "";
  try {
    const res = await api("/api/compare");
    msg.innerHTML = `<h2>Which hypothesis fits the record best?</h2><p>From <code></code>: posterior model probabilities (ABC-SMC) and the consistency of each evidence item with each hypothesis.</p>`;
    msg.querySelector("code").textContent = res.source;
    for (const [name, f] of Object.entries(res.figures)) {
      const div = document.createElement("div");
      div.className = "chart full";
      div.innerHTML = `<h4>${f.title}</h4><div id="cmp-${name}"></div>`;
      box.appendChild(div);
      await Plotly.react(`cmp-${name}`, f.figure.data, f.figure.layout, {responsive: true, displaylogo: false});
    }
  } catch (e) {
    msg.innerHTML = "<h2>No comparison yet</h2><p></p>";
    msg.querySelector("p").textContent = e.message;
  }
}

function switchTab(target) {
  for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t.dataset.tab === target);
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== target;
  if (target === "compare-view") loadCompare();
}

async function init() {
  for (const t of document.querySelectorAll(".tab")) t.addEventListener("click", () => switchTab(t.dataset.tab));
  $("scenario").addEventListener("change", (e) => selectScenario(e.target.value));
  $("hypothesis").addEventListener("change", describeHypothesis);
  $("run-button").addEventListener("click", startRun);
  $("reset-knobs").addEventListener("click", () => renderKnobs(current));
  try {
    scenarios = await api("/api/scenarios");
  } catch (e) {
    showError(`cannot list scenarios: ${e.message}`);
    return;
  }
  const sel = $("scenario");
  for (const s of scenarios) {
    const o = document.createElement("option");
    o.value = s.name;
    o.textContent = s.name;
    sel.appendChild(o);
  }
  const preferred = scenarios.find((s) => s.name === "iraq-2009") ? "iraq-2009" : scenarios[0].name;
  sel.value = preferred;
  selectScenario(preferred);
  document.body.dataset.ready = "1";
}

init();
