// centrehold dashboard: plain JavaScript, no build step. Talks to the JSON API only.
"use strict";

const $ = (id) => document.getElementById(id);
let scenarios = [];
let current = null;      // the selected scenario's info
let source = null;       // the open EventSource
let active = null;       // id of the run the page follows
let shown = null;        // id of the run whose results are on the page
const picked = new Set(); // runs ticked for the overlay
const runInfo = new Map(); // run id -> its status, from the past runs list
const SEED_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

const FULL_WIDTH = new Set(["national_deaths", "states", "map_deaths_per_100k", "map_observed"]);
const ORDER = ["national_deaths", "map_deaths_per_100k", "map_observed", "deaths_by_group",
               "segregation", "centre_holds", "states"];

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
    const err = new Error(detail || `${r.status} ${r.statusText}`);
    err.status = r.status;
    throw err;
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
  const also = $("also-hyps");
  also.innerHTML = "";
  for (const h of info.hypotheses) {
    const l = document.createElement("label");
    l.innerHTML = `<input type="checkbox" value="${h.id}"> ${h.id}`;
    l.title = h.conjecture;
    also.appendChild(l);
  }
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
  $("extend-wrap").hidden = !current.period;
  $("extend").checked = false;
  $("calendar-end").textContent = current.period ? `ends ${current.calendar_end}, ${fmt(current.period)} ${current.tick_unit}s` : "";
  limitTicks();
  renderHypotheses(current);
  renderKnobs(current);
}

function limitTicks() {
  // a calendar scenario stops at its calendar's end unless the box says to go on
  const t = $("ticks");
  if (current && current.period && !$("extend").checked) {
    t.max = current.period;
    if (Number(t.value) > current.period) t.value = current.period;
  } else {
    t.removeAttribute("max");
  }
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
  const unit = current && current.tick_unit !== "tick" ? `${current.tick_unit}s` : "ticks";
  const what = st.state === "running" ? `running: ${fmt(st.done)} of ${fmt(st.total)} ${unit}, about ${fmt(st.agents)} agents`
             : st.state === "queued" ? `queued: waiting for a free worker (about ${fmt(st.agents)} agents)`
             : st.state === "done" ? `done in ${fmt(st.elapsed)} s (simulation ${fmt(st.sim_seconds)} s), ${fmt(st.agents)} agents`
             : st.state === "cancelled" ? "cancelled"
             : "failed";
  status.textContent = what;
  const busy = st.state === "running" || st.state === "queued";
  $("cancel-button").hidden = !busy;
  $("run-button").disabled = busy;
}

async function cancelRun(id) {
  try {
    const st = await api(`/api/runs/${id}`, {method: "DELETE"});
    if (id === active) setProgress(st);
  } catch (e) {
    showError(e.message);
  }
  refreshRuns();
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let batch = null;        // {todo, ids, stop} while a batch of runs is under way

function batchBodies(base) {
  // the chosen hypothesis plus any ticked under "also run", each over `seeds` seeds
  const first = base.hypothesis;
  const ticked = [...document.querySelectorAll("#also-hyps input:checked")].map((b) => b.value);
  const hyps = first === null ? [null] : [first, ...ticked.filter((h) => h !== first)];
  const n = Math.max(1, Math.min(10, Number($("seeds").value) || 1));
  const bodies = [];
  for (const h of hyps) for (let i = 0; i < n; i++) bodies.push({...base, hypothesis: h, seed: base.seed + i});
  return bodies;
}

async function runBatch(bodies) {
  if (source) { source.close(); source = null; }  // the page follows the batch now
  active = null;
  batch = {todo: [...bodies], ids: [], stop: false};
  $("run-button").disabled = true;
  $("cancel-button").hidden = false;
  $("progress-wrap").hidden = false;
  const status = $("status");
  status.dataset.state = "batch";
  let ended = [];
  while (!batch.stop) {
    while (batch.todo.length && !batch.stop) {  // submit what the server will take now
      try {
        const st = await api("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify(batch.todo[0])});
        batch.ids.push(st.id);
        batch.todo.shift();
      } catch (e) {
        if (e.status !== 429) { showError(e.message); batch.stop = true; }
        break;  // 429: the server is full; submit the rest as runs end
      }
    }
    const runs = await api("/api/runs");
    ended = runs.filter((r) => batch.ids.includes(r.id) && r.state !== "queued" && r.state !== "running");
    status.textContent = `batch: ${ended.length} of ${bodies.length} runs ended`;
    $("progress-fill").style.width = `${(100 * ended.length) / bodies.length}%`;
    await refreshRuns();
    if (!batch.todo.length && ended.length === batch.ids.length) break;
    await sleep(700);
  }
  const stopped = batch.stop;
  const done = (await api("/api/runs")).filter((r) => batch.ids.includes(r.id) && r.state === "done");
  batch = null;
  status.dataset.state = stopped ? "cancelled" : "done";
  status.textContent = `${stopped ? "batch stopped" : "batch done"}: ${done.length} of ${bodies.length} runs finished`;
  $("cancel-button").hidden = true;
  $("run-button").disabled = false;
  picked.clear();
  for (const r of done) picked.add(r.id);
  await refreshRuns();
  $("overlay-button").disabled = picked.size < 2;
  if (done.length) await showResults(done[done.length - 1].id);
  if (done.length >= 2) await overlay();
}

async function cancelBatch() {
  batch.stop = true;
  batch.todo = [];
  for (const id of batch.ids) {
    try { await api(`/api/runs/${id}`, {method: "DELETE"}); } catch (e) { /* already ended */ }
  }
}

async function startRun() {
  showError("");
  const body = {
    scenario: current.name,
    hypothesis: current.hypotheses.length ? $("hypothesis").value : null,
    seed: Number($("seed").value || 0),
    ticks: Number($("ticks").value) || null,
    extend: $("extend").checked,
    knobs: knobValues(),
  };
  const bodies = batchBodies(body);
  if (bodies.length > 1) {
    try { await runBatch(bodies); } catch (e) { showError(e.message); batch = null; $("run-button").disabled = false; }
    return;
  }
  $("run-button").disabled = true;
  try {
    const st = await api("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
    setProgress(st);
    follow(st.id);
    refreshRuns();
  } catch (e) {
    showError(e.message);
    $("run-button").disabled = false;
  }
}

function follow(id) {
  if (source) source.close();
  active = id;
  source = new EventSource(`/api/runs/${id}/events`);
  source.addEventListener("progress", (ev) => { if (id === active) setProgress(JSON.parse(ev.data)); });
  source.addEventListener("end", async (ev) => {
    if (id !== active) return;
    source.close();
    source = null;
    const st = JSON.parse(ev.data);
    setProgress(st);
    $("run-button").disabled = false;
    refreshRuns();
    if (st.state === "cancelled") return;
    if (st.state === "error") { showError(st.error); return; }
    try { await showResults(id); } catch (e) { showError(e.message); }
  });
  source.onerror = () => { /* the browser retries by itself; the end event closes it */ };
}

function card(k, v, small, note) {
  const n = note ? `<div class="n">${note}</div>` : "";
  return `<div class="card"><div class="v${small ? " small" : ""}">${fmt(v)}</div><div class="k">${k}</div>${n}</div>`;
}

function summaryCards(s, regional) {
  // one unit for every count: people in a regional world (each agent stands for
  // people_per_agent people; deaths are counted in people), agents in Epstein's lattice
  const ppa = regional ? (s.people_per_agent || 1) : 1;
  const unit = regional ? "people" : "agents";
  const scaled = (n) => regional ? `${fmt(n)} agents × ${fmt(ppa)}` : "";
  const parts = [card("agents", s.agents, false, regional ? `${fmt(ppa)} people each` : ""),
                 card("ticks", s.ticks),
                 card(`deaths (${unit})`, s.total_deaths),
                 card(`arrests (${unit})`, s.total_arrests * ppa, false, scaled(s.total_arrests)),
                 card(`peak active (${unit})`, s.peak_active * ppa, false, scaled(s.peak_active)),
                 card("simulation time (s)", s.wall_seconds)];
  if (s.start_date) parts.splice(2, 0, card("period", `${s.start_date} → ${s.end_date}`, true));
  if (s.record_end) parts.splice(3, 0, card("record ends", s.record_end, true, "the run goes on past it"));
  return parts.join("");
}

async function showResults(id) {
  const res = await api(`/api/runs/${id}/results`);
  const s = res.summary;
  shown = id;
  $("placeholder").hidden = true;
  const cards = $("cards");
  cards.hidden = false;
  cards.dataset.run = id;
  cards.innerHTML = summaryCards(s, res.regional);
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
  const dl = $("downloads");
  dl.hidden = !(res.downloads && res.downloads.length);
  dl.innerHTML = "Download this run's data: " + (res.downloads || []).map(
    (n) => `<a href="/api/runs/${id}/files/${n}" download>${n}</a>`).join("");
  markCurrent();
}

function markCurrent() {
  for (const tr of document.querySelectorAll("#runs-list tr")) tr.classList.toggle("current", tr.dataset.id === shown);
}

async function refreshRuns() {
  let runs = [];
  try { runs = await api("/api/runs"); } catch (e) { return; }
  const body = $("runs-list").querySelector("tbody");
  body.innerHTML = "";
  $("runs-empty").hidden = runs.length > 0;
  for (const r of runs) {
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    const when = new Date(r.created * 1000).toLocaleTimeString("en-GB");
    const what = [r.scenario, r.hypothesis, `seed ${r.seed}`, `${fmt(r.ticks)} ticks`].filter(Boolean).join(" · ");
    tr.innerHTML = `<td></td><td>${when}</td><td></td><td class="state-${r.state}">${r.state}</td><td></td>`;
    if (r.state === "done") {
      const box = document.createElement("input");
      box.type = "checkbox"; box.className = "pick"; box.title = "overlay this run";
      box.checked = picked.has(r.id);
      box.addEventListener("change", () => {
        if (box.checked) picked.add(r.id); else picked.delete(r.id);
        $("overlay-button").disabled = picked.size < 2;
      });
      tr.children[0].appendChild(box);
    }
    tr.children[2].textContent = what;
    runInfo.set(r.id, r);
    const act = tr.children[4];
    if (r.state === "done") {
      const b = document.createElement("button");
      b.className = "link show"; b.textContent = "show";
      b.addEventListener("click", async () => {
        showError("");
        try { await showResults(r.id); } catch (e) { showError(e.message); }
      });
      act.appendChild(b);
    } else if (r.state === "queued" || r.state === "running") {
      const b = document.createElement("button");
      b.className = "link cancel"; b.textContent = "cancel";
      b.addEventListener("click", () => cancelRun(r.id));
      act.appendChild(b);
    }
    body.appendChild(tr);
  }
  markCurrent();
}

const TYPED = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
               i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array};

function values(v) {
  // plotly's JSON packs numeric arrays as {dtype, bdata: base64}; unpack to plain numbers
  if (Array.isArray(v) || !v || !v.bdata) return v;
  const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
  return Array.from(new (TYPED[v.dtype] || Float64Array)(bytes.buffer));
}

function seriesOf(res) {
  // the one series every run has: national deaths (regional) or actives (Epstein)
  const fig = res.figures.national_deaths || res.figures.states;
  const kind = res.figures.national_deaths ? "deaths" : "active";
  const tr = fig.figure.data.find((t) => t.name === "simulated" || t.name === "active");
  return tr ? {kind, x: values(tr.x), y: values(tr.y), fig} : null;
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function overlay() {
  showError("");
  const ids = [...picked].filter((id) => runInfo.has(id));
  const got = [];
  for (const id of ids) {
    const res = await api(`/api/runs/${id}/results`);
    const s = seriesOf(res);
    if (s) got.push({id, info: runInfo.get(id), ...s});
  }
  if (new Set(got.map((g) => g.kind)).size > 1) {
    showError("overlay runs of one kind: a regional world's deaths or a lattice's actives, not both");
    return;
  }
  // runs alike but for the seed form one ensemble
  const groups = new Map();
  for (const g of got) {
    const i = g.info;
    const key = [i.scenario, i.hypothesis || "", i.ticks, i.settings].join("|");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(g);
  }
  const traces = [];
  const first = got[0];
  if (first && first.kind === "deaths") {
    for (const t of first.fig.figure.data) {
      if (String(t.name || "").startsWith("observed")) traces.push(t);
    }
  }
  let k = 0;
  const labels = [];
  // settings shared by every group go in the caption, not in each label
  const shared = new Set(got.map((g) => g.info.settings)).size === 1 ? got[0].info.settings : null;
  for (const runs of groups.values()) {
    const i = runs[0].info;
    const own = shared === null && i.settings ? ` (${i.settings.length > 40 ? "own settings" : i.settings})` : "";
    const label = (i.hypothesis || i.scenario) + own;
    labels.push(label);
    const colour = SEED_COLOURS[k++ % SEED_COLOURS.length];
    if (runs.length === 1) {
      traces.push({x: runs[0].x, y: runs[0].y, name: `${label}, seed ${i.seed}`, mode: "lines",
                   line: {color: colour, width: 2}});
      continue;
    }
    const n = Math.min(...runs.map((r) => r.y.length));
    const x = runs[0].x.slice(0, n);
    const at = (j) => runs.map((r) => r.y[j]);
    const lo = x.map((_, j) => Math.min(...at(j)));
    const hi = x.map((_, j) => Math.max(...at(j)));
    const mid = x.map((_, j) => median(at(j)));
    traces.push({x, y: lo, mode: "lines", line: {width: 0}, showlegend: false, hoverinfo: "skip",
                 name: `${label}: min`});
    traces.push({x, y: hi, mode: "lines", line: {width: 0}, fill: "tonexty",
                 fillcolor: colour + "40", name: `${label}: min-max of ${runs.length} seeds`});
    traces.push({x, y: mid, mode: "lines", line: {color: colour, width: 2},
                 name: `${label}: median of ${runs.length} seeds`});
  }
  const layout = {template: first ? first.fig.figure.layout.template : undefined, height: 420,
                  margin: {l: 55, r: 15, t: 20, b: 45},
                  xaxis: {title: {text: first && first.kind === "deaths" ? "month" : "tick"}},
                  yaxis: {rangemode: "tozero", title: {text: first && first.kind === "deaths"
                          ? "civilian deaths per month (people)" : "active (agents)"}}};
  $("overlay").hidden = false;
  $("overlay-caption").textContent = `${got.length} runs in ${groups.size} group(s): ${labels.join("; ")}.` +
    (shared ? ` All with ${shared}.` : "");
  await Plotly.react("chart-overlay", traces, layout, {responsive: true, displaylogo: false});
  $("overlay").dataset.groups = String(groups.size);
}

async function listCompares() {
  // the compare folders the server found; the choice is made here, not with a server flag
  const sel = $("compare-folder");
  const before = sel.value;
  let folders = [];
  try { folders = await api("/api/compares"); } catch (e) { folders = []; }
  sel.innerHTML = "";
  for (const f of folders) {
    const o = document.createElement("option");
    o.value = f.name;
    o.textContent = `${f.name} (${f.modified.replace("T", " ")})`;
    sel.appendChild(o);
  }
  if (folders.some((f) => f.name === before)) sel.value = before;
  $("compare-pick").hidden = folders.length === 0;
}

async function loadCompare(refresh = true) {
  if (refresh) await listCompares();
  const msg = $("compare-msg");
  const box = $("compare-charts");
  box.innerHTML = "";
  const chosen = $("compare-folder").value;
  try {
    const res = await api("/api/compare" + (chosen ? `?name=${encodeURIComponent(chosen)}` : ""));
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
  $("extend").addEventListener("change", limitTicks);
  $("overlay-button").addEventListener("click", async () => {
    try { await overlay(); } catch (e) { showError(e.message); }
  });
  $("overlay-close").addEventListener("click", () => { $("overlay").hidden = true; });
  $("compare-folder").addEventListener("change", () => loadCompare(false));
  $("cancel-button").addEventListener("click", () => {
    if (batch) cancelBatch(); else if (active) cancelRun(active);
  });
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
  await refreshRuns();
  document.body.dataset.ready = "1";
}

init();
