// The query API from the browser: the bearer token (kept in this tab's sessionStorage) and the live stream.
// EventSource cannot send an Authorization header, so the stream is read with fetch() and parsed here.

const KEY = "powderkeg.token";

export function takeTokenFromUrl() {
  const match = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search + "#/");
  }
}

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (value) => sessionStorage.setItem(KEY, value);

export class Unauthorised extends Error {}

export async function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token() || ""}` } });
  if (response.status === 401) throw new Unauthorised((await response.json()).error);
  if (!response.ok) throw new Error(`${response.status} ${(await response.json()).error || response.statusText}`);
  return response.json();
}

// Calls onAlert(alert, seq) for every stored change after `after`, reconnecting (and resuming) after a drop.
export async function follow(after, onAlert, onState) {
  let last = after;
  for (;;) {
    try {
      const response = await fetch(`/v1/stream?after=${last}`, {
        headers: { Authorization: `Bearer ${token() || ""}`, Accept: "text/event-stream" },
      });
      if (response.status === 401) { onState("unauthorised"); return; }
      if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
      onState("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = {};
          for (const line of block.split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0) fields[line.slice(0, colon)] = (fields[line.slice(0, colon)] || "") + line.slice(colon + 1).trimStart();
          }
          if (fields.event === "alert" && fields.data) {
            last = Number(fields.id);
            onAlert(JSON.parse(fields.data), last);
          }
        }
      }
    } catch (error) {
      console.warn("alert stream:", error);
    }
    onState("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
