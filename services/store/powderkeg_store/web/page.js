// One alert: who against whom and how bad, the evidence sentences with their sources, the revisions, the pair's
// escalation index around the episode, where its events happened, and every event behind it.

import { get } from "/static/api.js";
import { drawIndex } from "/static/chart.js";
import { ago, h, kindLabel, utc } from "/static/dom.js";
import { WorldMap } from "/static/map.js";

function marked(sentence, trigger) {
  const at = trigger ? sentence.toLowerCase().indexOf(trigger.toLowerCase()) : -1;
  if (at < 0) return [sentence];
  return [sentence.slice(0, at), h("mark", {}, sentence.slice(at, at + trigger.length)), sentence.slice(at + trigger.length)];
}

const host = (url) => { try { return new URL(url).hostname.replace(/^www\./, ""); } catch { return url; } };

function evidence(alert, events) {
  const bySentence = new Map(events.map((e) => [e.evidence, e]));
  const sentences = alert.evidence && alert.evidence.length ? alert.evidence : events.map((e) => e.evidence);
  return h("ol", { class: "evidence", "data-testid": "evidence" }, [...new Set(sentences)].map((sentence) => {
    const e = bySentence.get(sentence);
    const source = e ? [e.source || host(e.source_url || ""), e.published_at ? utc(e.published_at) : null,
      `${e.factuality}${e.speaker ? ` (${e.speaker})` : ""}`, `confidence ${Number(e.confidence).toFixed(2)}`].filter(Boolean).join(" · ") : "";
    return h("li", {}, ...marked(sentence, e && e.trigger),
      e ? h("span", { class: "src" }, source, e.source_url ? [" · ", h("a", { href: e.source_url, target: "_blank", rel: "noopener noreferrer" }, "read the article ↗")] : null) : null);
  }));
}

function facts(alert, stored) {
  const fact = (value, label) => h("div", { class: "fact" }, h("b", {}, value), h("span", {}, label));
  return h("div", { class: "facts" },
    fact(alert.confidence.toFixed(2), alert.claimed_by && alert.claimed_by.length ? `confidence · claimed by ${alert.claimed_by.join(", ")}` : "confidence"),
    fact(String(alert.event_ids.length), "events"),
    fact(String((alert.story_ids && alert.story_ids.length) || alert.article_ids.length), "distinct stories"),
    fact(alert.escalation_index === null ? "–" : alert.escalation_index.toFixed(2), "escalation index"));
}

function timeline(revisions) {
  return h("ol", { class: "timeline", "data-testid": "timeline" }, [...revisions].reverse().map((r) =>
    h("li", { class: `r-${r.status}` },
      h("b", {}, `rev ${r.revision} · ${r.status}`), " ", h("span", { class: `t-${r.severity}` }, r.severity),
      h("span", { class: "muted" }, ` · ${utc(r.last_seen)} · ${r.n_events} event${r.n_events === 1 ? "" : "s"}${r.escalation_index !== null ? ` · index ${r.escalation_index.toFixed(2)}` : ""}`),
      h("div", {}, r.summary))));
}

function eventsTable(events) {
  const party = (name, country, cls) => [name || "?", country ? ` (${country})` : "", cls ? h("span", { class: "muted" }, ` ${cls.replace("_", " ")}`) : null];
  return h("table", { class: "events" },
    h("thead", {}, h("tr", {}, ["When", "Event", "Who → whom", "Where", "How sure"].map((t) => h("th", {}, t)))),
    h("tbody", {}, events.map((e) => h("tr", {},
      h("td", { title: e.time }, utc(e.time).slice(0, 16)),
      h("td", {}, `${e.event_type}${e.mode ? ` · ${e.mode}` : ""}`, h("div", { class: "muted" }, `CAMEO ${e.cameo_code} · ${e.goldstein}`)),
      h("td", {}, ...party(e.actor1_name, e.actor1_country, e.actor1_class), " → ", ...party(e.actor2_name, e.actor2_country, e.actor2_class)),
      h("td", {}, e.location || e.country || "–", e.admin1 ? h("div", { class: "muted" }, `${e.admin1}${e.geo_precision ? ` · ${e.geo_precision}` : ""}`) : null),
      h("td", {}, e.factuality, h("div", { class: "muted" }, Number(e.confidence).toFixed(2)))))));
}

export async function renderAlertPage(view, alertId, countries) {
  const data = await get(`/v1/alerts/${encodeURIComponent(alertId)}`);
  const alert = data.alert;
  const events = data.events;
  view.className = "detail";
  const urls = [...new Set([...(alert.urls || []), ...events.map((e) => e.source_url).filter(Boolean)])];
  const head = h("div", { class: `detail-head sev-${alert.severity}` },
    h("span", { class: `sevbar sev-${alert.severity}` }),
    h("div", {}, h("a", { class: "back", href: "#/" }, "‹ all alerts")),
    h("div", {}, h("span", { class: `sevlabel t-${alert.severity}` }, alert.severity.toUpperCase()),
      h("span", { class: "muted" }, ` ${alert.status} · revision ${alert.revision} · ${alert.direction}`)),
    h("div", {}, h("h1", { "data-testid": "alert-title" }, alert.title),
      h("div", { class: "pair" }, alert.sides.label, h("span", { class: "tag" }, kindLabel[alert.kind] || alert.kind),
        ...alert.countries.map((c) => h("span", { class: "tag", title: countries.name[c] || c }, c))),
      h("div", { class: "muted" }, `${alert.summary} · first ${utc(alert.first_seen)}, latest ${utc(alert.last_seen)} (${ago(alert.last_seen)})`,
        alert.locations && alert.locations.length ? ` · at ${alert.locations.join(", ")}` : "")));
  const left = h("section", { class: "col scroll" },
    h("div", { class: "panel" }, head, facts(alert, data.stored)),
    h("div", { class: "panel" }, h("h2", {}, "Evidence"), evidence(alert, events)),
    h("div", { class: "panel" }, h("h2", {}, `Sources (${urls.length})`),
      h("div", { class: "sources" }, urls.length ? urls.map((u) => h("a", { href: u, target: "_blank", rel: "noopener noreferrer" }, `${host(u)} ↗`)) : h("span", { class: "muted" }, "No links: the articles came without URLs."))),
    h("div", { class: "panel" }, h("h2", {}, `Events (${events.length}${data.missing_events.length ? `, ${data.missing_events.length} not stored` : ""})`), eventsTable(events)));
  const chart = h("div", { class: "chart", "data-testid": "chart" });
  const map = h("div", { class: "map", "data-testid": "map" });
  const right = h("section", { class: "col" },
    h("div", { class: "panel" }, h("h2", {}, "Timeline of revisions"), timeline(data.revisions)),
    h("div", { class: "panel", style: "flex:1" }, h("h2", {}, `Escalation index · ${alert.sides.label}`), chart),
    h("div", { class: "panel", style: "flex:1" }, h("h2", {}, "Where its events happened"), map));
  view.replaceChildren(left, right);
  const end = new Date(Date.parse(alert.last_seen) + 2 * 86400000);
  const since = new Date(Date.parse(alert.first_seen) - 5 * 86400000);
  const series = await get(`/v1/pairs/${encodeURIComponent(alert.sides.key)}/index`,
    { since: since.toISOString(), until: end.toISOString(), step_minutes: Math.max(60, Math.ceil((end - since) / 60000 / 400)) });
  drawIndex(chart, series);
  const places = new Map();
  for (const e of events) {
    if (e.latitude === null || e.latitude === undefined) continue;
    const key = `${e.latitude},${e.longitude}`;
    const p = places.get(key) || { latitude: e.latitude, longitude: e.longitude, location: e.location, admin1: e.admin1,
      country: e.country, geo_precision: e.geo_precision, n_events: 0, n_conflict: 0 };
    p.n_events += 1;
    p.n_conflict += e.goldstein < 0 ? 1 : 0;
    places.set(key, p);
  }
  await new WorldMap(map, { numericOf: countries.numeric }).show([...places.values()], { focus: alert.countries });
}
