// The duty officer's console: what is new, what is critical, where, who against whom, how sure, and the evidence.
// Plain ES modules, no build step; every text from the API goes into the page as text, never as HTML.

import { Unauthorised, follow, get, setToken, takeTokenFromUrl, token } from "/static/api.js";
import { drawIndex } from "/static/chart.js";
import { renderAlertPage } from "/static/page.js";
import { WorldMap } from "/static/map.js";
import { RANK, ago, h, kindLabel, utc } from "/static/dom.js";

const state = {
  alerts: new Map(), fresh: new Set(), selected: null, filters: { severity: new Set(), kind: new Set(), status: new Set(), sort: "severity" },
  q: "", lastChange: 0, countries: null, map: null, unseen: 0, streaming: false,
};

function status(kind, text) {
  const live = document.getElementById("live");
  live.dataset.state = kind;
  live.querySelector("span").textContent = text;
}

async function countries() {
  if (!state.countries) {
    const list = (await get("/v1/countries")).items;
    state.countries = { numeric: Object.fromEntries(list.map((c) => [c.alpha3, c.numeric])),
      name: Object.fromEntries(list.map((c) => [c.alpha3, c.name])) };
  }
  return state.countries;
}

async function refreshCounts() {
  const s = await get("/v1/stats");
  const open = s.open_alerts || {};
  document.getElementById("counts").replaceChildren(
    h("span", { class: "c-critical" }, h("b", {}, String(open.critical || 0)), " critical"),
    h("span", { class: "c-warning" }, h("b", {}, String(open.warning || 0)), " warning open"),
    h("span", {}, h("b", {}, String(s.events_last_24h)), " events in 24 h"),
  );
  return s;
}

function matches(alert) {
  const f = state.filters;
  if (f.severity.size && !f.severity.has(alert.severity)) return false;
  if (f.kind.size && !f.kind.has(alert.kind)) return false;
  if (f.status.has("open") && alert.status === "resolved") return false;
  if (state.q) {
    const text = `${alert.title} ${alert.summary} ${alert.sides.label} ${alert.signal} ${(alert.evidence || []).join(" ")}`.toLowerCase();
    if (!text.includes(state.q.toLowerCase())) return false;
  }
  return true;
}

function ordered() {
  const open = (a) => (a.status === "resolved" ? 0 : 1);
  const by = state.filters.sort === "recent"
    ? (a, b) => b.last_seen.localeCompare(a.last_seen)
    : (a, b) => open(b) - open(a) || RANK[b.severity] - RANK[a.severity] || b.last_seen.localeCompare(a.last_seen);
  return [...state.alerts.values()].filter(matches).sort(by);
}

function card(alert) {
  const claimed = alert.claimed_by && alert.claimed_by.length ? `claimed by ${alert.claimed_by.join(", ")}` : null;
  const fresh = state.fresh.has(alert.alert_id);
  return h("li", {
    class: `alert sev-${alert.severity} ${alert.status}${state.selected === alert.alert_id ? " selected" : ""}${fresh ? " fresh" : ""}`,
    dataset: { alertId: alert.alert_id }, tabindex: 0,
    onclick: () => select(alert.alert_id),
    ondblclick: () => { location.hash = `#/alert/${encodeURIComponent(alert.alert_id)}`; },
    onkeydown: (e) => { if (e.key === "Enter") location.hash = `#/alert/${encodeURIComponent(alert.alert_id)}`; },
  },
  h("span", { class: "sev" }),
  h("div", {},
    h("span", { class: "sevlabel" }, alert.severity.toUpperCase()),
    h("a", { class: "title", href: `#/alert/${encodeURIComponent(alert.alert_id)}`, onclick: (e) => e.stopPropagation() }, alert.title),
    fresh ? h("span", { class: "tag new" }, alert.revision > 1 ? "UPDATED" : "NEW") : null,
    h("div", { class: "pair" }, alert.sides.label, h("span", { class: "tag" }, kindLabel[alert.kind] || alert.kind))),
  h("div", { class: "when", title: utc(alert.last_seen) }, ago(alert.last_seen), h("br"),
    h("span", { class: "muted" }, `rev ${alert.revision} · ${alert.status}`)),
  h("div", { class: "quote" }, alert.evidence && alert.evidence[0] ? `“${alert.evidence[0]}”` : alert.summary),
  h("div", { class: "meta" },
    h("span", {}, `${alert.n_events} event${alert.n_events === 1 ? "" : "s"}`),
    h("span", {}, `${alert.n_stories} stor${alert.n_stories === 1 ? "y" : "ies"}`),
    h("span", { title: "alert confidence" }, `confidence ${alert.confidence.toFixed(2)}`),
    claimed ? h("span", { class: "t-warning" }, claimed) : null,
    alert.locations && alert.locations.length ? h("span", { title: "places named by its events" }, `at ${alert.locations.slice(0, 3).join(", ")}`) : null,
    alert.escalation_index !== null && alert.escalation_index !== undefined ? h("span", {}, `index ${alert.escalation_index.toFixed(2)}`) : null));
}

function renderList() {
  const list = document.getElementById("alerts");
  if (!list) return;
  const items = ordered();
  list.replaceChildren(...items.map(card));
  document.getElementById("alerts-empty").hidden = items.length > 0;
  document.title = state.unseen ? `(${state.unseen}) Powderkeg` : "Powderkeg";
}

async function loadAlerts() {
  const f = state.filters;
  const params = { sort: f.sort, limit: 200, severity: [...f.severity].join(","), kind: [...f.kind].join(","),
    status: [...f.status].join(","), q: state.q };
  const page = await get("/v1/alerts", params);
  state.alerts = new Map(page.items.map((a) => [a.alert_id, a]));
  renderList();
  if (!state.selected && page.items.length) select(ordered()[0]?.alert_id);
}

async function select(alertId) {
  if (!alertId) return;
  state.selected = alertId;
  renderList();
  const alert = state.alerts.get(alertId);
  if (!alert) return;
  document.getElementById("chart-title").textContent = `Escalation index · ${alert.sides.label}`;
  document.getElementById("chart-link").href = `#/alert/${encodeURIComponent(alertId)}`;
  document.getElementById("chart-link").textContent = "open alert ›";
  const end = new Date(Math.max(Date.parse(alert.last_seen) + 86400000, Date.now() - 0));
  const since = new Date(Math.min(Date.parse(alert.first_seen) - 3 * 86400000, end - 7 * 86400000));
  const series = await get(`/v1/pairs/${encodeURIComponent(alert.sides.key)}/index`,
    { since: since.toISOString(), until: end.toISOString(), step_minutes: Math.max(60, Math.ceil((end - since) / 60000 / 400)) });
  drawIndex(document.getElementById("chart"), series);
  await showMap(alert.countries);
}

async function showMap(focus = []) {
  const days = Number(document.getElementById("map-days").value);
  const data = await get("/v1/map", { since: `${days}d` });
  await state.map.show(data.places, { focus });
}

function bindFilters() {
  for (const group of document.querySelectorAll("#filters .group")) {
    const name = group.dataset.filter;
    for (const button of group.querySelectorAll("button")) {
      const on = () => (name === "sort" ? state.filters.sort === button.dataset.value : state.filters[name].has(button.dataset.value));
      button.classList.toggle("on", on());
      button.onclick = () => {
        if (name === "sort") state.filters.sort = button.dataset.value;
        else if (state.filters[name].has(button.dataset.value)) state.filters[name].delete(button.dataset.value);
        else state.filters[name].add(button.dataset.value);
        for (const b of group.querySelectorAll("button")) b.classList.toggle("on", name === "sort" ? state.filters.sort === b.dataset.value : state.filters[name].has(b.dataset.value));
        loadAlerts().catch(fail);
      };
    }
  }
  document.getElementById("map-days").onchange = () => showMap(state.alerts.get(state.selected)?.countries).catch(fail);
}

async function listView() {
  const view = document.getElementById("view");
  view.className = "";
  view.replaceChildren(document.getElementById("list-view").content.cloneNode(true));
  const { numeric } = await countries();
  state.map = new WorldMap(document.getElementById("map"), { numericOf: numeric });
  bindFilters();
  state.selected = null;
  await loadAlerts();
  if (!state.selected) await showMap();
}

function onAlert(alert) {
  const known = state.alerts.get(alert.alert_id);
  if (known && known.revision >= alert.revision) return;
  state.alerts.set(alert.alert_id, alert);
  state.fresh.add(alert.alert_id);
  if (document.hidden || !document.hasFocus()) state.unseen += 1;
  renderList();
  refreshCounts().catch(() => {});
  if (location.hash.startsWith(`#/alert/${encodeURIComponent(alert.alert_id)}`)) route();
}

function fail(error) {
  if (error instanceof Unauthorised) { askToken(error.message); return; }
  console.error(error);
  status("error", String(error.message || error));
}

function askToken(message) {
  const dialog = document.getElementById("token-dialog");
  if (message) dialog.querySelector("p").dataset.error = message;
  if (!dialog.open) dialog.showModal();
}

async function route() {
  const match = location.hash.match(/^#\/alert\/(.+)$/);
  try {
    if (match) await renderAlertPage(document.getElementById("view"), decodeURIComponent(match[1]), await countries());
    else await listView();
  } catch (error) { fail(error); }
}

async function start() {
  takeTokenFromUrl();
  document.getElementById("token-button").onclick = () => askToken();
  document.getElementById("token-dialog").addEventListener("close", () => {
    const value = document.getElementById("token-input").value.trim();
    if (value) { setToken(value); start(); }
  });
  let timer = null;
  document.getElementById("search").oninput = (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = e.target.value.trim(); if (!location.hash.startsWith("#/alert/")) loadAlerts().catch(fail); }, 250);
  };
  window.addEventListener("focus", () => { state.unseen = 0; renderList(); });
  window.addEventListener("hashchange", route);
  if (!token()) { askToken(); return; }
  try {
    const stats = await refreshCounts();
    state.lastChange = stats.last_change;
  } catch (error) { fail(error); return; }
  await route();
  if (!state.streaming) {
    state.streaming = true;
    follow(state.lastChange, onAlert, (s) => status(s === "live" ? "live" : "connecting", s === "live" ? "live" : s));
  }
  setInterval(() => { refreshCounts().catch(() => {}); renderList(); }, 60000);
}

start();
