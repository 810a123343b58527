"""A hostile feed server on 127.0.0.1 (one hostile answer per path), for the feed tests of the bad-input catalogue
in the unit and the integration tiers."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEXT = "Pakistan said on Wednesday that peace talks with the Taliban government had collapsed in Istanbul. " * 6


def item(guid: str, *, link: str = "https://news.example/a", text: str = TEXT, date: str = "") -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    head = f"<item><title>{guid}</title><link>{link}</link><guid>{guid}</guid>{pub}"
    return f"{head}<description>{text}</description></item>"


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>' + "".join(items)
            + "</channel></rss>").encode()


class Hostile:
    """Serves one hostile answer per path; ``version`` switches the /guid feed's text (a correction)."""

    def __init__(self) -> None:
        self.version = 1
        self.sent: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(1000):  # one byte every 50 ms: each read is quick, the whole takes 50 s
                        try:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                        except OSError:
                            return
                        owner.sent["/trickle"] = owner.sent.get("/trickle", 0) + 1
                        time.sleep(0.05)
                    return
                bodies = {
                    "/html": (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", None),
                    "/bomb": (gzip.compress(b"\0" * 50_000_000, 9), "application/rss+xml", "gzip"),
                    "/brotli": (b"\x0b\x02\x80hello\x03", "application/rss+xml", "br"),
                    "/guid": (rss(item("g-1", text=f"{TEXT} Version {owner.version}.")), "application/rss+xml", None),
                    "/longlink": (rss(item("long", link="https://news.example/" + "a" * 70_000, text="teaser")),
                                  "application/rss+xml", None),
                    "/future": (rss(item("f-1", date="Fri, 31 Dec 9999 23:59:59 GMT")), "application/rss+xml", None),
                    "/surrogate": (rss(item("s-1", text=TEXT + " &#xD800;&#0;&#x110000;&#99999999999; end")),
                                   "application/rss+xml", None),
                }
                body, ctype, encoding = bodies.get(self.path, (b"", "text/plain", None))
                self.send_response(200 if self.path in bodies else 404)
                self.send_header("Content-Type", ctype)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
