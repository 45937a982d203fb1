#!/usr/bin/python3
"""A Confluent REST Proxy v3 produce emulator for eventdest's tests, demo and benchmarks.

Strict to ../shared/conformance/kafka-rest/openapi.yaml where it matters to a producer:
  POST /kafka/v3/clusters/{cluster}/topics/{topic}/records        (one or many concatenated
       ProduceRequest objects; one ProduceResponse per record, each followed by CRLF, in a
       chunked HTTP 200; per-record errors inside the 200 as {"error_code": ..., "message": ...})
  POST /kafka/v3/clusters/{cluster}/topics/{topic}/records:batch  ({"entries": [...]} -> 207 with
       "successes" and "failures" matched by "id")
with HTTP Basic auth, Content-Type checks, unknown cluster/topic errors, strict record validation
(unknown fields, key/value types, padded standard base64 for BINARY data and header values) and
Kafka's murmur2 partitioner for keyed records.

Inspection (no auth): GET /_emulator/records?topic=T, GET /_emulator/stats, POST /_emulator/reset,
POST /_emulator/faults (body: a JSON list of fault rules, replacing the plan; see README.md).

usage: rest_proxy_emulator.py --port 0 --cluster-id C --topic orders:3 [--topic t:1]
           [--api-key K --api-secret S] [--max-batch-entries 10] [--fault JSON]... [--seed N]
           [--ready-file PATH]
Prints "LISTENING http://127.0.0.1:PORT" first on stdout.
"""
import argparse
import base64
import binascii
import json
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from itertools import islice
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

RECORD_FIELDS = {"partition_id", "headers", "key", "value", "timestamp"}
BATCH_ENTRY_FIELDS = RECORD_FIELDS | {"id"}
DATA_TYPES = {"JSON", "STRING", "BINARY"}
RECORDS_PATH = re.compile(r"^/kafka/v3/clusters/([^/]+)/topics/([^/]+)/records(:batch)?$")
MAX_BODY_BYTES = 64 << 20


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as an unsigned 32-bit int."""
    length = len(data)
    m, r = 0x5BD1E995, 24
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(length // 4):
        k = struct.unpack_from("<I", data, i * 4)[0]
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = length & ~3
    rem = length % 4
    if rem == 3:
        h ^= data[tail + 2] << 16
    if rem >= 2:
        h ^= data[tail + 1] << 8
    if rem >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


_MURMUR_CACHE = {}


def kafka_partition(key: bytes, partitions: int) -> int:
    h = _MURMUR_CACHE.get(key)
    if h is None:
        h = murmur2(key)
        if len(_MURMUR_CACHE) < 100000:  # keys repeat; pure-Python murmur2 is slow
            _MURMUR_CACHE[key] = h
    return (h & 0x7FFFFFFF) % partitions


def strict_b64decode(text):
    """Padded standard base64 only (what REST Proxy's BINARY type and header values take).
    strict_mode rejects anything outside the standard alphabet (url-safe, whitespace, non-ASCII),
    '=' anywhere but at the end, more than two '=' and missing or incomplete padding (the same
    set as the former regex + b64decode(validate=True) check, compared on 320k inputs)."""
    if not isinstance(text, str) or len(text) % 4:
        raise ValueError("not a padded standard base64 string")
    try:
        return _a2b_base64(text, strict_mode=True)
    except ValueError as e:  # binascii.Error, or non-ASCII text
        raise ValueError(f"not a padded standard base64 string: {e}") from None


_a2b_base64 = binascii.a2b_base64
_B64_CACHE = {}


def header_b64decode(text):
    """strict_b64decode for header values, cached: the same few values repeat on every record."""
    raw = _B64_CACHE.get(text)
    if raw is None:
        raw = strict_b64decode(text)
        if len(text) <= 64 and len(_B64_CACHE) < 4096:
            _B64_CACHE[text] = raw
    return raw


class RecordError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


DATA_FIELDS = frozenset({"type", "data", "subject", "subject_name_strategy", "schema_id",
                         "schema_version", "schema"})
HEADER_FIELDS = frozenset({"name", "value"})


def _not_json(o):
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


# Compact serialization of JSON data (the stored bytes and the reported size): what
# json.dumps(data, separators=(",", ":"), ensure_ascii=False) gives, through the C encoder that
# json builds anew for every call, built once here (no cycle check: parsed JSON has no cycles).
_c_compact_encoder = json.encoder.c_make_encoder(
    None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, True)


def _compact_json(data):
    return "".join(_c_compact_encoder(data, 0))
_json_str = json.encoder.encode_basestring_ascii


def data_bytes(field, obj):
    """Validates a ProduceRequestData object and returns (type, bytes) or (None, None)."""
    if obj is None:
        return None, None
    if not isinstance(obj, dict):
        raise RecordError(400, f"Bad Request: {field} must be an object")
    if not DATA_FIELDS.issuperset(obj):
        unknown = set(obj) - DATA_FIELDS
        raise RecordError(400, f"Bad Request: unknown field(s) {sorted(unknown)} in {field}")
    kind = obj.get("type")
    if kind not in DATA_TYPES:
        raise RecordError(400, f"Bad Request: {field}.type {kind!r} is not supported here")
    if "data" not in obj:
        raise RecordError(400, f"Bad Request: {field}.data is required")
    data = obj["data"]
    if kind == "STRING":
        if not isinstance(data, str):
            raise RecordError(400, f"Bad Request: {field}.data={data!r} is not a string")
        return kind, data.encode("utf-8")
    if kind == "BINARY":
        try:
            return kind, strict_b64decode(data)
        except ValueError:
            raise RecordError(400, f"Bad Request: data={data!r} is not a base64 string.") from None
    return kind, _compact_json(data).encode("utf-8")


class Topic:
    def __init__(self, name, partitions):
        self.name = name
        self.partitions = partitions
        self.next_offset = [0] * partitions
        self.round_robin = 0


class State:
    def __init__(self, args):
        self.cluster_id = args.cluster_id
        self.api_key = args.api_key
        self.api_secret = args.api_secret
        self.max_batch_entries = args.max_batch_entries
        self.lock = threading.Lock()
        self.topics = {}
        for spec in args.topic:
            name, _, parts = spec.partition(":")
            self.topics[name] = Topic(name, int(parts or 1))
        self.records = []
        self.stats = {"requests": 0, "records_accepted": 0, "records_rejected": 0,
                      "faults_fired": 0}
        self.faults = []
        self.random = random.Random(args.seed)
        self.request_count = 0
        self.record_count = 0
        self.burst = 0
        for f in args.fault:
            self.faults.append(json.loads(f))

    def reset(self):
        with self.lock:
            self.records.clear()
            for t in self.topics.values():
                t.next_offset = [0] * t.partitions
                t.round_robin = 0
            for k in self.stats:
                self.stats[k] = 0
            self.request_count = 0
            self.record_count = 0
            self.burst = 0

    def fault_for(self, when, counter):
        """The first fault rule that fires for this request/record number, or None."""
        for rule in self.faults:
            if rule.get("when", "request") != when:
                continue
            hit = False
            if "nth" in rule:
                hit = counter in rule["nth"]
            elif "every" in rule:
                hit = counter % int(rule["every"]) == 0
            elif "probability" in rule:
                hit = self.random.random() < float(rule["probability"])
            else:
                hit = True
            if hit:
                self.stats["faults_fired"] += 1
                return rule
        return None

    def has_record_faults(self):
        return any(rule.get("when", "request") == "record" for rule in self.faults)

    def produce(self, topic, record, timestamp_ms):
        """Validates and stores one record (the caller holds the lock); returns
        (partition, offset, key type, key size, value type, value size)."""
        if not isinstance(record, dict):
            raise RecordError(400, "Bad Request: a record must be a JSON object")
        if not BATCH_ENTRY_FIELDS.issuperset(record):
            unknown = set(record) - BATCH_ENTRY_FIELDS
            raise RecordError(400, f"Bad Request: unknown field(s) {sorted(unknown)}")
        get = record.get
        key_type, key = data_bytes("key", get("key"))
        value_type, value = data_bytes("value", get("value"))
        headers = get("headers") or ()
        if not isinstance(headers, (list, tuple)):
            raise RecordError(400, "Bad Request: headers must be [{name, value}]")
        stored_headers = []  # name, value, name, value...
        if headers:
            for h in headers:
                if not isinstance(h, dict) or not isinstance(h.get("name"), str) or not HEADER_FIELDS.issuperset(h):
                    raise RecordError(400, "Bad Request: headers must be [{name, value}]")
                raw = h.get("value")
                try:
                    stored_headers += h["name"], None if raw is None else header_b64decode(raw)
                except ValueError:
                    raise RecordError(400, f"Bad Request: header {h['name']!r} value is not padded standard base64") from None
        partition = get("partition_id")
        if partition is not None and (not isinstance(partition, int) or isinstance(partition, bool)
                                      or not 0 <= partition < topic.partitions):
            raise RecordError(404, f"Partition {partition!r} of topic {topic.name} not found")
        if partition is None:
            if key is not None:
                partition = kafka_partition(key, topic.partitions)
            else:
                partition = topic.round_robin % topic.partitions
                topic.round_robin += 1
        offset = topic.next_offset[partition]
        topic.next_offset[partition] = offset + 1
        # One flat tuple of str, bytes, int and None (the JSON value kept as its bytes, as Kafka
        # keeps it; the headers' names and values at the end): the garbage collector stops
        # tracking it at its first pass. A nested tuple would stay tracked into the oldest
        # generation, and every full collection would walk the whole store again.
        self.records.append((topic.name, partition, offset, key, key_type, value, value_type,
                             timestamp_ms, *stored_headers))
        self.stats["records_accepted"] += 1
        return (partition, offset, key_type, None if key is None else len(key),
                value_type, None if value is None else len(value))


_ISO_CACHE = (None, "")


def iso_timestamp(timestamp_ms):
    """ISO 8601 UTC of a millisecond timestamp to the second, cached for the current second
    (one tuple, replaced whole, so threads never see a second with another second's text)."""
    global _ISO_CACHE
    second = timestamp_ms // 1000
    cached = _ISO_CACHE
    if cached[0] != second:
        cached = _ISO_CACHE = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)) + "Z")
    return cached[1]


def data_report(kind, size):
    return "null" if kind is None else f'{{"type":"{kind}","size":{size}}}'


def success_report(prefix, stored, iso):
    """A ProduceResponse JSON object for a stored record; prefix names the cluster and topic
    (and the batch entry id) and ends with a comma."""
    partition, offset, key_type, key_size, value_type, value_size = stored
    return (f'{{{prefix}"partition_id":{partition},"offset":{offset},"timestamp":"{iso}",'
            f'"key":{data_report(key_type, key_size)},"value":{data_report(value_type, value_size)}}}')


def error_report(code, message, entry_id=None):
    head = "" if entry_id is None else f'"id":{_json_str(entry_id)},'
    return f'{{{head}"error_code":{int(code)},"message":{_json_str(str(message))}}}'


_scan_once = json.JSONDecoder().scan_once
_SPACE = re.compile(r"[ \t\r\n]*")


def concatenated_json(text):
    """Yields each JSON value of a stream of concatenated JSON texts, or a ValueError at the
    first one that does not parse (JSONDecoder.raw_decode without its Python wrapper)."""
    pos = 0
    end = len(text)
    skip = _SPACE.match
    while True:
        pos = skip(text, pos).end()
        if pos >= end:
            return
        try:
            value, pos = _scan_once(text, pos)
        except StopIteration as e:
            yield ValueError(f"Bad Request: Expecting value at offset {e.value}")
            return
        except json.JSONDecodeError as e:
            yield ValueError(f"Bad Request: {e.msg} at offset {e.pos}")
            return
        yield value


class Headers(dict):
    """Request headers by lower-cased name; the first of repeated names wins, as with
    email.message.Message.get."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)


MAX_HEADER_LINE = 65536
MAX_HEADERS = 100


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "eventdest-rest-proxy-emulator/1"
    state: State = None

    def log_message(self, fmt, *args):  # quiet: tests read stdout
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle and the client's
        # delayed ACK would add ~40 ms to every small response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self):
        """BaseHTTPRequestHandler.parse_request for HTTP/1.0 and 1.1 with a plain header parser
        (the stdlib one runs each request's headers through the email package, about half the
        cost of a small request). Same limits (line length, header count), stricter syntax:
        obsolete line folding and lines without a colon or with a space before it are 400."""
        self.command = None
        self.request_version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) != 3:
            self.send_error(400, f"Bad request syntax ({requestline!r})")
            return False
        command, path, version = words
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            if version.startswith("HTTP/") and version[5:] >= "2":
                self.send_error(505, f"Invalid HTTP version ({version[5:]})")
            else:
                self.send_error(400, f"Bad request version ({version!r})")
            return False
        self.request_version = version
        self.close_connection = version == "HTTP/1.0"
        self.command = command
        self.path = "/" + path.lstrip("/") if path.startswith("//") else path
        headers = Headers()
        readline = self.rfile.readline
        count = 0
        while True:
            line = readline(MAX_HEADER_LINE + 1)
            if len(line) > MAX_HEADER_LINE:
                self.send_error(431, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            count += 1
            if count > MAX_HEADERS:
                self.send_error(431, "Too many headers")
                return False
            name, colon, value = str(line, "iso-8859-1").partition(":")
            if not colon or not name or name != name.strip():
                self.send_error(400, "Bad header line")
                return False
            headers.setdefault(name.lower(), value.strip())
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if (headers.get("Expect", "").lower() == "100-continue" and version == "HTTP/1.1"
                and not self.handle_expect_100()):
            return False
        return True

    # --- helpers -----------------------------------------------------------------------------
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length)

    def response_head(self, status, *headers):
        """The status line and headers of a response, as bytes, written together with the
        (first part of the) body: one send per response instead of one per header block and
        body part. Same lines as send_response()/send_header(), with the Date cached per second."""
        global _DATE_CACHE
        now = int(time.time())
        date = _DATE_CACHE
        if date[0] != now:
            date = _DATE_CACHE = (now, self.date_time_string(now))
        lines = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}",
                 f"Server: {self.version_string()}", f"Date: {date[1]}"]
        for name, value in headers:
            lines.append(f"{name}: {value}")
            if name == "Connection" and value == "close":
                self.close_connection = True
        lines.append("\r\n")
        return "\r\n".join(lines).encode("latin-1")

    def send_json(self, status, obj, close=False):
        self.send_json_text(status, json.dumps(obj), close)

    def send_json_text(self, status, text, close=False):
        body = text.encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if close:
            headers.append(("Connection", "close"))
        self.wfile.write(self.response_head(status, *headers) + body)

    def error(self, status, code, message):
        self.send_json(status, {"error_code": code, "message": message})

    def reset_connection(self):
        # SO_LINGER 0 then close: the client sees a reset, not a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def authorized(self):
        s = self.state
        if not s.api_key:
            return True
        expected = "Basic " + base64.b64encode(f"{s.api_key}:{s.api_secret}".encode()).decode()
        return self.headers.get("Authorization") == expected

    # --- inspection ------------------------------------------------------------------------
    def do_GET(self):
        url = urlparse(self.path)
        s = self.state
        if url.path == "/_emulator/records":
            topic = (parse_qs(url.query).get("topic") or [None])[0]
            with s.lock:
                out = []
                for stored in s.records:
                    name, partition, offset, key, _, value, value_type, _ = stored[:8]
                    headers = zip(stored[8::2], stored[9::2])
                    if topic and name != topic:
                        continue
                    out.append({
                        "topic": name, "partition": partition, "offset": offset,
                        "key": None if key is None else key.decode("utf-8", "replace"),
                        "value": json.loads(value) if value_type == "JSON" else (
                            None if value is None else value.decode("utf-8", "replace")),
                        "value_type": value_type,
                        "headers": [{"name": n, "value": None if v is None else v.decode("utf-8", "replace")}
                                    for n, v in headers]})
            return self.send_json(200, out)
        if url.path == "/_emulator/stats":
            with s.lock:
                return self.send_json(200, dict(s.stats))
        self.error(404, 404, "Not Found")

    def do_POST(self):
        url = urlparse(self.path)
        s = self.state
        if url.path.startswith("/_emulator/"):
            body = self.read_body() or b""
            if url.path == "/_emulator/reset":
                s.reset()
                return self.send_json(200, {"ok": True})
            if url.path == "/_emulator/faults":
                with s.lock:
                    s.faults = json.loads(body or b"[]")
                return self.send_json(200, {"ok": True, "faults": len(s.faults)})
            return self.error(404, 404, "Not Found")
        self.produce_request(url)

    # --- produce ---------------------------------------------------------------------------
    def produce_request(self, url):
        s = self.state
        body = self.read_body()
        with s.lock:
            s.stats["requests"] += 1
            s.request_count += 1
            n = s.request_count
            if s.burst > 0:
                s.burst -= 1
                fault = {"action": "http", "status": 429, "error_code": 42901}
            else:
                fault = s.fault_for("request", n)
            if fault and fault.get("action") == "burst":
                s.burst = int(fault.get("count", 1)) - 1
                fault = {"action": "http", "status": fault.get("status", 429),
                         "error_code": fault.get("error_code", 42901)}
        if body is None:
            return self.error(413, 413, "Request Entity Too Large")
        match = RECORDS_PATH.match(url.path)
        if not match:
            return self.error(404, 404, "Not Found")
        if not self.authorized():
            return self.error(401, 40101, "Unauthorized")
        if fault and fault.get("action") == "http":
            return self.error(int(fault.get("status", 500)), int(fault.get("error_code", 500)),
                              fault.get("message", "Injected fault"))
        if fault and fault.get("action") == "reset_before_response":
            return self.reset_connection()
        cluster, topic_name, batch = match.groups()
        if cluster != s.cluster_id:
            return self.error(404, 40401, f"Cluster {cluster} not found")
        topic = s.topics.get(topic_name)
        if topic is None:
            return self.error(404, 40403, f"Topic {topic_name} not found")
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return self.error(415, 415, f"HTTP 415 Unsupported Media Type: {content_type or 'none'}")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self.error(400, 400, "Bad Request: body is not UTF-8")
        if batch:
            return self.produce_batch(topic, text, fault)
        return self.produce_stream(topic, text, fault)

    def produce_batch(self, topic, text, fault):
        s = self.state
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            return self.error(400, 400, f"Bad Request: {e.msg}")
        if not isinstance(doc, dict) or set(doc) != {"entries"} or not isinstance(doc["entries"], list):
            return self.error(400, 400, "Bad Request: expected {\"entries\": [...]}")
        entries = doc["entries"]
        if len(entries) > s.max_batch_entries:
            return self.error(400, 40002, f"Bad Request: too many entries ({len(entries)} > {s.max_batch_entries})")
        ids = [e.get("id") if isinstance(e, dict) else None for e in entries]
        if any(not isinstance(i, str) or not 1 <= len(i) <= 80 for i in ids) or len(set(ids)) != len(ids):
            return self.error(400, 400, "Bad Request: every entry needs a unique id of 1 to 80 characters")
        successes, failures = [], []
        now = int(time.time() * 1000)
        iso = iso_timestamp(now)
        # Batch successes carry the entry id and no error_code.
        where = f'"cluster_id":{_json_str(s.cluster_id)},"topic_name":{_json_str(topic.name)},'
        with s.lock:
            record_faults = s.has_record_faults()
            for entry in entries:
                s.record_count += 1
                rule = s.fault_for("record", s.record_count) if record_faults else None
                if rule and rule.get("action") == "record_error":
                    failures.append(error_report(rule.get("error_code", 50003),
                                                 rule.get("message", "Injected record error"),
                                                 entry["id"]))
                    s.stats["records_rejected"] += 1
                    continue
                try:
                    stored = s.produce(topic, entry, now)
                    successes.append(success_report(f'"id":{_json_str(entry["id"])},{where}',
                                                    stored, iso))
                except RecordError as e:
                    s.stats["records_rejected"] += 1
                    failures.append(error_report(e.code, e.message, entry["id"]))
        if fault and fault.get("action") == "reset_after_store":
            return self.reset_connection()
        self.send_json_text(207, f'{{"successes":[{",".join(successes)}],'
                                 f'"failures":[{",".join(failures)}]}}')

    def produce_stream(self, topic, text, fault):
        """One report per record, in order, each followed by CRLF, in a chunked 200. Records are
        handled in groups (one lock, one clock read, one chunk per group), so reports still leave
        progressively during a long request; a slow fault sends them one by one."""
        s = self.state
        head = self.response_head(200, ("Content-Type", "application/json"),
                                  ("Transfer-Encoding", "chunked"))
        delay = float((fault or {}).get("delay_ms", 0)) / 1000 if (fault or {}).get("action") == "slow" else 0
        if delay:
            self.wfile.write(head)  # the status goes out at once; the reports come slowly
            head = b""
        group_size = 1 if delay else STREAM_GROUP
        where = (f'"error_code":200,"cluster_id":{_json_str(s.cluster_id)},'
                 f'"topic_name":{_json_str(topic.name)},')
        reset_after_store = bool(fault) and fault.get("action") == "reset_after_store"
        records = concatenated_json(text)
        stored_any = False
        while True:
            group = list(islice(records, group_size))
            last = len(group) < group_size
            lines = []
            cut = False
            now = int(time.time() * 1000)
            iso = iso_timestamp(now)
            with s.lock:
                record_faults = s.has_record_faults()
                for record in group:
                    s.record_count += 1
                    rule = s.fault_for("record", s.record_count) if record_faults else None
                    action = rule.get("action") if rule else None
                    if action == "drop_connection":
                        s.stats["records_rejected"] += 1
                        cut = True
                        break
                    if action == "record_error":
                        s.stats["records_rejected"] += 1
                        lines.append(error_report(rule.get("error_code", 50003),
                                                  rule.get("message", "Injected record error")))
                    elif isinstance(record, ValueError):
                        # The last of the group: the rest of the stream cannot be parsed.
                        s.stats["records_rejected"] += 1
                        lines.append(error_report(400, record))
                    else:
                        try:
                            lines.append(success_report(where, s.produce(topic, record, now), iso))
                            stored_any = True
                        except RecordError as e:
                            s.stats["records_rejected"] += 1
                            lines.append(error_report(e.code, e.message))
            if delay and group:
                time.sleep(delay)
            out = head
            head = b""
            if lines:
                lines.append("")
                data = "\r\n".join(lines).encode()
                out += b"%x\r\n%s\r\n" % (len(data), data)
            if cut:
                # Reports already produced reach the client; this record and the rest are lost
                # to the cut, exactly like a proxy that died mid-stream.
                if out:
                    self.wfile.write(out)
                return self.reset_connection()
            if last:
                if reset_after_store and stored_any:
                    if out:
                        self.wfile.write(out)
                    return self.reset_connection()
                self.wfile.write(out + b"0\r\n\r\n")
                return
            if out:
                self.wfile.write(out)


_DATE_CACHE = (None, "")
STREAM_GROUP = 64


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cluster-id", required=True)
    parser.add_argument("--topic", action="append", default=[], help="NAME[:PARTITIONS]")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--api-secret", default="")
    parser.add_argument("--max-batch-entries", type=int, default=10)
    parser.add_argument("--fault", action="append", default=[], help="a JSON fault rule")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ready-file")
    args = parser.parse_args()

    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"LISTENING {url}", flush=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(url + "\n")

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
