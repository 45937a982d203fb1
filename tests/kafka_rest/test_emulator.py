#!/usr/bin/python3
"""Self-test of the REST Proxy v3 emulator: starts it on a free port, checks the protocol,
validation, fault injection and inspection endpoints, and stops it (also on failure)."""
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "emulator", "rest_proxy_emulator.py")
AUTH = "Basic " + base64.b64encode(b"key:secret").decode()
PATH = "/kafka/v3/clusters/c1/topics/orders/records"


def b64(s):
    return base64.b64encode(s.encode()).decode()


def record(key="k1", value=None, headers=None):
    r = {"key": {"type": "STRING", "data": key},
         "value": {"type": "JSON", "data": value if value is not None else {"n": 1}}}
    if headers is not None:
        r["headers"] = headers
    return r


class EmulatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = subprocess.Popen(
            [sys.executable, EMULATOR, "--port", "0", "--cluster-id", "c1", "--topic", "orders:3",
             "--api-key", "key", "--api-secret", "secret", "--max-batch-entries", "3"],
            stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()
        assert line.startswith("LISTENING http://127.0.0.1:"), line
        cls.port = int(line.rsplit(":", 1)[1])

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(10)
        cls.proc.stdout.close()

    def setUp(self):
        self.call("POST", "/_emulator/reset", b"")
        self.call("POST", "/_emulator/faults", b"[]")

    def call(self, method, path, body, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = {"Content-Type": "application/json", "Authorization": AUTH}
        h.update(headers or {})
        conn.request(method, path, body=body, headers={k: v for k, v in h.items() if v is not None})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def produce(self, records, headers=None):
        body = "\n".join(json.dumps(r) for r in records).encode()
        status, data = self.call("POST", PATH, body, headers)
        return status, data

    def test_streamed_reports_one_per_record_with_crlf(self):
        status, data = self.produce([record("a"), record("b"), record("c")])
        self.assertEqual(status, 200)
        self.assertTrue(data.endswith(b"\r\n"))
        reports = [json.loads(x) for x in data.split(b"\r\n") if x]
        self.assertEqual([r["error_code"] for r in reports], [200, 200, 200])
        self.assertEqual({r["topic_name"] for r in reports}, {"orders"})
        stored = json.loads(self.call("GET", "/_emulator/records?topic=orders", None)[1])
        self.assertEqual([s["key"] for s in stored], ["a", "b", "c"])

    def test_keyed_records_use_kafka_murmur2_partitions(self):
        sys.path.insert(0, os.path.join(HERE, "emulator"))
        import rest_proxy_emulator as e
        signed = lambda x: x - (1 << 32) if x >= 1 << 31 else x
        # org.apache.kafka.common.utils.UtilsTest#testMurmur2
        for text, expected in [("21", -973932308), ("foobar", -790332482),
                               ("a-little-bit-long-string", -985981536),
                               ("a-little-bit-longer-string", -1486304829),
                               ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
                               ("abc", 479470107)]:
            self.assertEqual(signed(e.murmur2(text.encode())), expected, text)
        _, data = self.produce([record("foobar"), record("foobar")])
        reports = [json.loads(x) for x in data.split(b"\r\n") if x]
        self.assertEqual(reports[0]["partition_id"], e.kafka_partition(b"foobar", 3))
        self.assertEqual(reports[1]["offset"], reports[0]["offset"] + 1)

    def test_headers_are_padded_base64_and_kept_in_order(self):
        headers = [{"name": "content-type", "value": b64("application/json")},
                   {"name": "event-id", "value": b64("e1")}]
        _, data = self.produce([record(headers=headers)])
        self.assertEqual(json.loads(data.split(b"\r\n")[0])["error_code"], 200)
        stored = json.loads(self.call("GET", "/_emulator/records", None)[1])
        self.assertEqual([(h["name"], h["value"]) for h in stored[0]["headers"]],
                         [("content-type", "application/json"), ("event-id", "e1")])
        _, data = self.produce([record(headers=[{"name": "x", "value": "Zg"}])])  # unpadded
        self.assertEqual(json.loads(data.split(b"\r\n")[0])["error_code"], 400)
        _, data = self.produce([record(headers=[{"name": "x", "value": "-_8="}])])  # url-safe
        self.assertEqual(json.loads(data.split(b"\r\n")[0])["error_code"], 400)

    def test_record_validation_errors_are_reported_inside_200(self):
        bad = [{"key": {"type": "STRING", "data": 5}},                # key type mismatch
               {"value": {"type": "AVRO", "data": {}}},               # unsupported type
               {"value": {"type": "BINARY", "data": "not base64!"}},  # bad binary
               {"valeu": {"type": "JSON", "data": 1}},                # unknown field
               record("ok")]
        status, data = self.produce(bad)
        self.assertEqual(status, 200)
        codes = [json.loads(x)["error_code"] for x in data.split(b"\r\n") if x]
        self.assertEqual(codes, [400, 400, 400, 400, 200])

    def test_request_level_errors(self):
        self.assertEqual(self.produce([record()], {"Authorization": None})[0], 401)
        self.assertEqual(json.loads(self.produce([record()], {"Authorization": "Basic eDp5"})[1])["error_code"], 40101)
        self.assertEqual(self.produce([record()], {"Content-Type": "text/plain"})[0], 415)
        status, data = self.call("POST", "/kafka/v3/clusters/nope/topics/orders/records", b"{}")
        self.assertEqual((status, json.loads(data)["error_code"]), (404, 40401))
        status, data = self.call("POST", "/kafka/v3/clusters/c1/topics/nope/records", b"{}")
        self.assertEqual((status, json.loads(data)["error_code"]), (404, 40403))

    def test_batch_207_matches_entries_by_id(self):
        entries = [dict(record("a"), id="1"), dict(record("b"), id="2"),
                   {"id": "3", "value": {"type": "BINARY", "data": "%%%"}}]
        status, data = self.call("POST", PATH + ":batch", json.dumps({"entries": entries}).encode())
        self.assertEqual(status, 207)
        doc = json.loads(data)
        self.assertEqual(sorted(s["id"] for s in doc["successes"]), ["1", "2"])
        self.assertEqual([(f["id"], f["error_code"]) for f in doc["failures"]], [("3", 400)])
        too_many = {"entries": [dict(record(), id=str(i)) for i in range(4)]}
        self.assertEqual(self.call("POST", PATH + ":batch", json.dumps(too_many).encode())[0], 400)

    def test_faults(self):
        faults = [{"when": "request", "nth": [1], "action": "http", "status": 503, "error_code": 50302},
                  {"when": "record", "nth": [2], "action": "record_error", "error_code": 50003},
                  {"when": "record", "nth": [5], "action": "drop_connection"}]
        self.call("POST", "/_emulator/faults", json.dumps(faults).encode())
        status, data = self.produce([record()])
        self.assertEqual((status, json.loads(data)["error_code"]), (503, 50302))
        status, data = self.produce([record("a"), record("b"), record("c")])  # records 1..3
        codes = [json.loads(x)["error_code"] for x in data.split(b"\r\n") if x]
        self.assertEqual(codes, [200, 50003, 200])
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            self.produce([record("d"), record("e"), record("f")])  # record 5 cuts the stream
        stored = json.loads(self.call("GET", "/_emulator/records", None)[1])
        self.assertEqual([s["key"] for s in stored], ["a", "c", "d"])
        stats = json.loads(self.call("GET", "/_emulator/stats", None)[1])
        self.assertEqual(stats["faults_fired"], 3)

    def test_burst_and_reset_after_store(self):
        self.call("POST", "/_emulator/faults", json.dumps(
            [{"when": "request", "nth": [1], "action": "burst", "count": 2},
             {"when": "request", "nth": [3], "action": "reset_after_store"}]).encode())
        self.assertEqual(self.produce([record()])[0], 429)
        self.assertEqual(self.produce([record()])[0], 429)
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            self.produce([record("stored")])
        stored = json.loads(self.call("GET", "/_emulator/records", None)[1])
        self.assertEqual([s["key"] for s in stored], ["stored"])  # written although no answer

    def raw_produce(self, records):
        """The decoded chunked body of a streamed produce read from a raw socket, up to the end
        or a cut connection, and whether the stream ended cleanly."""
        body = "\n".join(json.dumps(r) for r in records).encode()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(head + body)
            raw = b""
            try:
                while not raw.endswith(b"\r\n0\r\n\r\n"):
                    more = sock.recv(65536)
                    if not more:
                        break
                    raw += more
            except ConnectionError:
                pass
        status_line, _, rest = raw.partition(b"\r\n")
        self.assertIn(b" 200 ", status_line)
        _, _, rest = rest.partition(b"\r\n\r\n")
        data = b""
        while rest:
            size_line, sep, rest = rest.partition(b"\r\n")
            size = int(size_line, 16) if sep else -1
            if size <= 0 or len(rest) < size + 2:
                return data, size == 0
            data, rest = data + rest[:size], rest[size + 2:]
        return data, False

    def test_long_stream_reports_in_order_across_groups(self):
        data, clean = self.raw_produce([record(f"k{i}") for i in range(300)])
        self.assertTrue(clean)
        self.assertTrue(data.endswith(b"\r\n"))
        reports = [json.loads(x) for x in data.split(b"\r\n")[:-1]]
        self.assertEqual(len(reports), 300)
        stored = json.loads(self.call("GET", "/_emulator/records", None)[1])
        self.assertEqual([s["key"] for s in stored], [f"k{i}" for i in range(300)])
        self.assertEqual([(r["partition_id"], r["offset"]) for r in reports],
                         [(s["partition"], s["offset"]) for s in stored])

    def test_cut_mid_stream_after_reports_went_out(self):
        self.call("POST", "/_emulator/faults", json.dumps(
            [{"when": "record", "nth": [150], "action": "drop_connection"},
             {"when": "record", "nth": [70], "action": "record_error", "error_code": 50003}]).encode())
        data, clean = self.raw_produce([record(f"k{i}") for i in range(300)])
        self.assertFalse(clean)
        reports = [json.loads(x) for x in data.split(b"\r\n")[:-1]]
        self.assertEqual(len(reports), 149)  # every report before the cut arrived, in order
        self.assertEqual([r["error_code"] for r in reports], [200] * 69 + [50003] + [200] * 79)
        stored = json.loads(self.call("GET", "/_emulator/records", None)[1])
        self.assertEqual([s["key"] for s in stored], [f"k{i}" for i in range(149) if i != 69])

    def test_unparsable_record_ends_the_stream_with_a_400_report(self):
        body = (json.dumps(record("a")) + "\n" + json.dumps(record("b")) + "\n{\"key\": ").encode()
        status, data = self.call("POST", PATH, body)
        self.assertEqual(status, 200)
        codes = [json.loads(x)["error_code"] for x in data.split(b"\r\n") if x]
        self.assertEqual(codes, [200, 200, 400])

    def test_slow_fault_sends_reports_one_by_one(self):
        self.call("POST", "/_emulator/faults", json.dumps(
            [{"when": "request", "nth": [1], "action": "slow", "delay_ms": 150}]).encode())
        body = "\n".join(json.dumps(record(k)) for k in "abc").encode()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        arrivals = []  # (seconds since the request, reports received so far)
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            start = time.monotonic()
            sock.sendall(head + body)
            raw = b""
            while not raw.endswith(b"\r\n0\r\n\r\n"):
                more = sock.recv(65536)
                self.assertTrue(more)
                raw += more
                arrivals.append((time.monotonic() - start, raw.count(b'"error_code":')))
        self.assertEqual(arrivals[-1][1], 3)
        first = next(t for t, n in arrivals if n >= 1)
        self.assertGreaterEqual(arrivals[-1][0], 0.4)  # three delays of 150 ms
        self.assertLess(first, arrivals[-1][0] - 0.2)  # the first report did not wait for the rest


if __name__ == "__main__":
    unittest.main(verbosity=1)
