#!/usr/bin/env python3
"""A sample OpsOrch plugin: an incidents provider for a home-grown incident tracker, in Python's standard
library only. It speaks JSON-RPC 2.0 over stdio with LSP framing (Content-Length headers), as described in
adapters/plugins/PROTOCOL.md. Run it through OpsOrch:

  OPSORCH_INCIDENTS_PROVIDER=tracker=plugin \
  OPSORCH_INCIDENTS_CONFIG='{"command":"python3","args":["adapters/examples/incidents_plugin.py"]}' npm start

Settings (in `settings` of the plugin config): `dataFile` (JSON list of incidents; a built-in sample otherwise),
`baseUrl` (for deep links), `delayMs` (slow every call down, to watch timeouts and concurrency).
Anything written to stderr shows up in OpsOrch's log.
"""
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

PROTOCOL_VERSION = 1

# JSON-RPC error codes, and OpsOrch's codes carried in `error.data.code`.
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
REQUEST_CANCELLED = -32800


class PluginError(Exception):
    def __init__(self, code, message, rpc_code=-32000):
        super().__init__(message)
        self.code = code
        self.rpc_code = rpc_code


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Tracker:
    """The incidents this tracker holds, in memory. Writes change it; a restart starts over."""

    def __init__(self, instance, settings):
        self.instance = instance
        self.base_url = settings.get("baseUrl", "https://tracker.example.com")
        self.delay = settings.get("delayMs", 0) / 1000.0
        self.lock = threading.Lock()
        if settings.get("dataFile"):
            with open(settings["dataFile"], encoding="utf-8") as handle:
                raw = json.load(handle)
        else:
            raw = self.sample()
        self.incidents = {}
        self.entries = {}
        for item in raw:
            self.incidents[item["key"]] = item
            self.entries[item["key"]] = [
                {"key": "1", "at": item["startedAt"], "kind": "TRIGGERED", "rawKind": "opened", "message": "Incident opened", "actorId": None}
            ]

    @staticmethod
    def sample():
        now = datetime.now(timezone.utc)
        return [
            {"key": "TRK-7", "number": 7, "title": "Checkout p99 latency above 2s", "summary": "Slow card authorisations",
             "status": "open", "severity": "P2", "serviceId": "checkout", "startedAt": iso(now - timedelta(minutes=42)),
             "assigneeId": "maya.chen@acme-shop.example"},
            {"key": "TRK-6", "number": 6, "title": "Search index lagging", "summary": None, "status": "investigating",
             "severity": "P3", "serviceId": "search", "startedAt": iso(now - timedelta(hours=5)), "assigneeId": None},
            {"key": "TRK-5", "number": 5, "title": "Nightly export failed", "summary": "Fixed by a re-run", "status": "closed",
             "severity": "P4", "serviceId": "orders-db", "startedAt": iso(now - timedelta(days=2)), "assigneeId": None},
        ]

    STATUS = {"open": "TRIGGERED", "investigating": "ACKNOWLEDGED", "closed": "RESOLVED"}
    SEVERITY = {"P1": "SEV1", "P2": "SEV2", "P3": "SEV3", "P4": "SEV4", "P5": "SEV5"}

    def record(self, item):
        return {
            "id": f"{self.instance}:{item['key']}",
            "number": item["number"],
            "title": item["title"],
            "summary": item.get("summary"),
            "status": self.STATUS.get(item["status"], "TRIGGERED"),
            "rawStatus": item["status"],
            "severity": self.SEVERITY.get(item.get("severity"), "UNKNOWN"),
            "rawSeverity": item.get("severity"),
            "startedAt": item["startedAt"],
            "acknowledgedAt": item.get("acknowledgedAt"),
            "resolvedAt": item.get("resolvedAt"),
            "updatedAt": item.get("updatedAt", item["startedAt"]),
            "channel": None,
            "links": [],
            "url": f"{self.base_url}/incidents/{item['key']}",
            "source": {"provider": "plugin", "instance": self.instance, "id": item["key"]},
            "serviceId": item.get("serviceId"),
            "environment": item.get("environment", "production"),
            "assigneeId": item.get("assigneeId"),
            "commanderId": None,
        }

    def ordered(self):
        items = sorted(self.incidents.values(), key=lambda i: (i["startedAt"], i["key"]), reverse=True)
        return [self.record(i) for i in items]

    def key_of(self, incident_id):
        instance, _, key = incident_id.partition(":")
        return key if instance == self.instance else None

    def require(self, incident_id):
        item = self.incidents.get(self.key_of(incident_id) or "")
        if item is None:
            raise PluginError("NOT_FOUND", f'incident "{incident_id}" does not exist in {self.instance}')
        return item

    # --- the incidents SPI -------------------------------------------------------------------------

    def getMany(self, ids, context):
        return [self.record(self.incidents[k]) if (k := self.key_of(i)) in self.incidents else None for i in ids]

    def query(self, query, page, context):
        text = (query.get("text") or "").lower()
        matching = [
            r for r in self.ordered()
            if (not query.get("statuses") or r["status"] in query["statuses"])
            and (not query.get("severities") or r["severity"] in query["severities"])
            and (not query.get("serviceId") or r["serviceId"] == query["serviceId"])
            and (not text or text in (r["title"] + " " + (r["summary"] or "")).lower())
            and (not query.get("startedFrom") or parse_time(r["startedAt"]) >= parse_time(query["startedFrom"]))
            and (not query.get("startedTo") or parse_time(r["startedAt"]) < parse_time(query["startedTo"]))
        ]
        if query.get("teamId"):
            matching = []  # this tracker knows no teams
        return paged(matching, page)

    def incidentsForServices(self, service_ids, link_query, page, context):
        statuses = link_query.get("statuses")
        rows = self.ordered()
        return [paged([r for r in rows if r["serviceId"] == s and (not statuses or r["status"] in statuses)], page) for s in service_ids]

    def incidentsForTeams(self, team_ids, link_query, page, context):
        return [paged([], page) for _ in team_ids]

    def timelines(self, incident_ids, order, page, context):
        out = []
        for incident_id in incident_ids:
            entries = self.entries.get(self.key_of(incident_id) or "", [])
            entries = sorted(entries, key=lambda e: (e["at"], int(e["key"])), reverse=(order == "NEWEST_FIRST"))
            out.append(paged([dict(e, id=f"{incident_id}/{e['key']}") for e in entries], page))
        return out

    def _note(self, item, kind, raw_kind, message, context):
        actor = context.get("actor") or {}
        entries = self.entries[item["key"]]
        entries.append({"key": str(len(entries) + 1), "at": context["now"], "kind": kind, "rawKind": raw_kind, "message": message,
                        "actorId": actor.get("id") if actor.get("kind") == "user" else None})
        item["updatedAt"] = context["now"]

    def acknowledgeIncident(self, incident_id, context):
        with self.lock:
            item = self.require(incident_id)
            if item["status"] == "closed":
                raise PluginError("BAD_USER_INPUT", f"incident {incident_id} is closed; reopen it in the tracker first")
            if item["status"] == "open":
                item["status"] = "investigating"
                item["acknowledgedAt"] = context["now"]
                self._note(item, "ACKNOWLEDGED", "investigating", "Acknowledged", context)
            return self.record(item)

    def resolveIncident(self, incident_id, resolution, context):
        with self.lock:
            item = self.require(incident_id)
            if item["status"] != "closed":
                item["status"] = "closed"
                item["resolvedAt"] = context["now"]
                self._note(item, "RESOLVED", "closed", resolution or "Resolved", context)
            return self.record(item)

    def addIncidentNote(self, incident_id, body, context):
        with self.lock:
            item = self.require(incident_id)
            self._note(item, "NOTE", "comment", body, context)
            return self.record(item)


def paged(items, page):
    offset = int(page.get("after") or 0)
    first = page["first"]
    chunk = items[offset:offset + first]
    following = offset + len(chunk)
    return {"items": chunk, "nextCursor": str(following) if following < len(items) else None, "totalCount": len(items)}


class Server:
    """LSP-framed JSON-RPC over stdin/stdout; each request runs on a worker thread, so calls overlap."""

    def __init__(self):
        self.out = sys.stdout.buffer
        self.write_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=16)
        self.tracker = None
        self.cancelled = set()

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        with self.write_lock:
            self.out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.out.flush()

    def reply_error(self, request_id, rpc_code, message, code=None):
        error = {"code": rpc_code, "message": message}
        if code:
            error["data"] = {"code": code}
        self.send({"jsonrpc": "2.0", "id": request_id, "error": error})

    def handle(self, message):
        request_id = message.get("id")
        method = message.get("method", "")
        params = message.get("params") or {}
        try:
            if self.tracker and self.tracker.delay:
                time.sleep(self.tracker.delay)
            if request_id in self.cancelled:
                self.cancelled.discard(request_id)
                return self.reply_error(request_id, REQUEST_CANCELLED, "cancelled")
            if method == "initialize":
                if params.get("capability") != "incidents":
                    raise PluginError("BAD_USER_INPUT", f"this plugin serves incidents, not {params.get('capability')}", INVALID_PARAMS)
                self.tracker = Tracker(params["instance"], params.get("settings") or {})
                print(f"incidents plugin ready for instance {params['instance']} (protocol {params.get('protocolVersion')})", file=sys.stderr, flush=True)
                result = {"name": "sample-incident-tracker", "version": "1.0.0"}
            elif method == "health":
                result = {"incidents": len(self.tracker.incidents)}
            elif method.startswith("incidents."):
                handler = getattr(self.tracker, method.split(".", 1)[1], None)
                if handler is None or method.split(".", 1)[1].startswith("_") or not callable(handler):
                    return self.reply_error(request_id, METHOD_NOT_FOUND, f"{method} is not implemented by this plugin")
                result = handler(*params.get("args", []), params.get("context") or {})
            else:
                return self.reply_error(request_id, METHOD_NOT_FOUND, f"unknown method {method}")
            self.send({"jsonrpc": "2.0", "id": request_id, "result": result})
        except PluginError as error:
            self.reply_error(request_id, error.rpc_code, str(error), error.code)
        except Exception as error:  # noqa: BLE001 - report anything else as the plugin's own failure
            print(f"{method} failed: {error!r}", file=sys.stderr, flush=True)
            self.reply_error(request_id, -32603, f"{type(error).__name__}: {error}")

    def read_message(self, stream):
        length = None
        while True:
            line = stream.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        return json.loads(stream.read(length)) if length is not None else None

    def run(self):
        stream = sys.stdin.buffer
        while True:
            message = self.read_message(stream)
            if message is None:
                break  # stdin closed: OpsOrch is gone or stopping us
            if message.get("method") == "$/cancelRequest":
                self.cancelled.add((message.get("params") or {}).get("id"))
            elif "id" in message and message.get("method") == "initialize":
                self.handle(message)  # before anything else runs
            elif "id" in message:
                self.pool.submit(self.handle, message)
        self.pool.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":
    if os.environ.get("SAMPLE_PLUGIN_FAIL_AT_START"):
        print("refusing to start: SAMPLE_PLUGIN_FAIL_AT_START is set", file=sys.stderr, flush=True)
        sys.exit(3)
    Server().run()
