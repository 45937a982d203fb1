#!/usr/bin/python3
"""Kinesis aggregation end to end: the `eventdest` CLI publishes with `aggregation: true` to
kinesis-local (a stream of several shards), the records are read back with GetRecords and
unpacked with AWS's own deaggregator (aws-kinesis-agg, pinned in tools/python/requirements.txt).

Checks: every user record, partition key and explicit hash key exact; each user record on the
shard its hash key maps to; each delivery report names where its record is (shard, sequence
number, sub-sequence number). Then a shard split while events flow: nothing lost, duplicates only
among reports marked possible_duplicate, and the records after the split on the new shards.

usage: aggregation_test.py CLI
"""
import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def in_peer_venv():
    """Re-runs this script with the pinned Python peers' interpreter (installing them if needed)."""
    venv_python = os.path.join(ROOT, ".deps", "pyvenv", "bin", "python")
    if os.path.realpath(sys.executable) == os.path.realpath(venv_python) or \
            os.environ.get("EVENTDEST_PEER_VENV") == "1":
        return
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "lib", "python_peers.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    os.environ["EVENTDEST_PEER_VENV"] = "1"
    os.execv(venv_python, [venv_python] + sys.argv)


in_peer_venv()
from aws_kinesis_agg.deaggregator import iter_deaggregate_records  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KinesisLocal:
    def __init__(self, streams, workdir):
        pkg = os.path.join(ROOT, "tools", "peers", "node_modules", "kinesis-local")
        self.port = free_port()
        env = dict(os.environ, KINESIS_MOCK_PLAIN_PORT=str(self.port),
                   KINESIS_MOCK_TLS_PORT=str(free_port()),
                   KINESIS_MOCK_CERT_PATH=os.path.join(pkg, "server.json"),
                   INITIALIZE_STREAMS=streams, CREATE_STREAM_DURATION="0ms",
                   SPLIT_SHARD_DURATION="300ms", LOG_LEVEL="WARN")
        self.log = open(os.path.join(workdir, "kinesis-local.log"), "w")
        self.process = subprocess.Popen(["node", os.path.join(pkg, "main.js")], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def call(self, action, body):
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Kinesis_20131202." + action,
            "X-Amz-Date": "20240101T000000Z",
            # kinesis-local wants the header, not a valid signature (our signer has its suites).
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/"
                             "aws4_request, SignedHeaders=host, Signature=0"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def wait_active(self, stream, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                summary = self.call("DescribeStreamSummary", {"StreamName": stream})
                if summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
                    return
            except Exception:  # not listening yet
                pass
            time.sleep(0.2)
        raise RuntimeError(f"stream {stream} did not become ACTIVE")

    def shards(self, stream):
        return self.call("ListShards", {"StreamName": stream})["Shards"]

    def user_records(self, stream):
        """Every user record of the stream, deaggregated by aws-kinesis-agg, with its shard."""
        out = []
        for shard in self.shards(stream):
            iterator = self.call("GetShardIterator", {
                "StreamName": stream, "ShardId": shard["ShardId"],
                "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
            while iterator:
                page = self.call("GetRecords", {"ShardIterator": iterator, "Limit": 10000})
                for record in page["Records"]:
                    # Lambda's event shape, which the deaggregator takes as it comes.
                    lambda_record = {"kinesis": {
                        "kinesisSchemaVersion": "1.0", "data": record["Data"],
                        "partitionKey": record["PartitionKey"],
                        "sequenceNumber": record["SequenceNumber"],
                        "approximateArrivalTimestamp": 0}}
                    for user in iter_deaggregate_records(lambda_record):
                        k = user["kinesis"]
                        out.append({"shard": shard, "sequence_number": k["sequenceNumber"],
                                    "sub_sequence_number": k.get("subSequenceNumber"),
                                    "aggregated": k.get("aggregated", False),
                                    "partition_key": k["partitionKey"],
                                    "explicit_hash_key": k.get("explicitHashKey"),
                                    "data": base64.b64decode(k["data"]).decode("utf-8")})
                if not page["Records"] or page.get("MillisBehindLatest", 0) == 0:
                    break
                iterator = page.get("NextShardIterator")
        return out


def hash_key(partition_key, explicit_hash_key):
    if explicit_hash_key:
        return int(explicit_hash_key)
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def covers(shard, key):
    r = shard["HashKeyRange"]
    return int(r["StartingHashKey"]) <= key <= int(r["EndingHashKey"])


def spec(stream, endpoint):
    return {"type": "aws_kinesis", "topics": ["*"],
            "config": {"stream_name": stream, "region": "us-east-1", "endpoint": endpoint,
                       "aggregation": True, "metadata_in_payload": False,
                       "partition_key_template": "data.user",
                       "explicit_hash_key_template": "data.ehk", "linger_ms": 20},
            "credentials": {"key": "test", "secret": "test"}}


USERS = ["alice", "bob", "ключ-🔑", "carol", "dave", "e" * 200]


def event(i):
    data = {"user": USERS[i % len(USERS)] + str(i % 37), "n": i, "pad": "x" * 60}
    if i % 5 == 0:
        data["ehk"] = str((i * 7919 * 2 ** 100) % 2 ** 128)  # an explicit hash key
    return {"id": f"e{i}", "topic": "orders", "data": data}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def reports_of(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def expect_located(reports, found, sent):
    """Every event delivered, found where its report says, on a shard covering its hash key."""
    by_location = {}
    for u in found:
        by_location.setdefault((u["shard"]["ShardId"], u["sequence_number"],
                                u["sub_sequence_number"] if u["aggregated"] else None), []).append(u)
    check(len(reports) == len(sent), f"{len(reports)} reports for {len(sent)} events")
    for report, e in zip(reports, sent):
        check(report["status"] == "delivered", f"not delivered: {report}")
        check(report["event_id"] == e["id"], f"report order: {report['event_id']} for {e['id']}")
        location = (report["shard_id"], report["sequence_number"],
                    report.get("sub_sequence_number"))
        users = by_location.get(location, [])
        check(len(users) == 1, f"{e['id']}: {len(users)} user records at {location}")
        u = users[0]
        check(u["data"] == compact(e["data"]),
              f"{e['id']}: data {u['data']!r}")
        check(u["partition_key"] == e["data"]["user"], f"{e['id']}: key {u['partition_key']!r}")
        if u["aggregated"]:  # a plain record's ExplicitHashKey is not kept by Kinesis
            check(u["explicit_hash_key"] == e["data"].get("ehk"),
                  f"{e['id']}: explicit hash key {u['explicit_hash_key']!r}")
        check(covers(u["shard"], hash_key(u["partition_key"], e["data"].get("ehk"))),
              f"{e['id']}: on {u['shard']['ShardId']}, which does not cover its hash key")


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_events(path, events):
    with open(path, "w") as f:
        for e in events:
            f.write(compact(e) + "\n")


def test_format(cli, kinesis, workdir):
    stream = "agg"
    kinesis.wait_active(stream)
    sent = [event(i) for i in range(3000)]
    write_events(os.path.join(workdir, "events.jsonl"), sent)
    with open(os.path.join(workdir, "agg.json"), "w") as f:
        json.dump(spec(stream, kinesis.url.rstrip("/")), f)
    run = subprocess.run([cli, "publish", "--destination", os.path.join(workdir, "agg.json"),
                          "--input", os.path.join(workdir, "events.jsonl"), "--no-progress"],
                         capture_output=True, text=True, timeout=300)
    check(run.returncode == 0, f"publish failed ({run.returncode}): {run.stderr}")
    reports = reports_of(run.stdout)
    found = kinesis.user_records(stream)
    check(len(found) == len(sent), f"{len(found)} user records read back for {len(sent)} sent")
    expect_located(reports, found, sent)
    aggregated = sum(1 for u in found if u["aggregated"])
    check(aggregated > len(sent) * 9 // 10,
          f"only {aggregated} user records were aggregated; stderr: {run.stderr}")
    kinesis_records = len({(u["shard"]["ShardId"], u["sequence_number"]) for u in found})
    print(f"format: {len(sent)} events in {kinesis_records} Kinesis records on "
          f"{len(kinesis.shards(stream))} shards, all read back exactly by aws-kinesis-agg")


def test_split(cli, kinesis, workdir):
    stream = "split"
    kinesis.wait_active(stream)
    with open(os.path.join(workdir, "split.json"), "w") as f:
        json.dump(spec(stream, kinesis.url.rstrip("/")), f)
    sent = [event(i) for i in range(4000)]
    half = len(sent) // 2
    stderr = open(os.path.join(workdir, "split-cli.log"), "w")
    cli_run = subprocess.Popen([cli, "publish", "--destination", os.path.join(workdir, "split.json"),
                                "--no-progress"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=stderr, text=True)
    try:
        for e in sent[:half]:
            cli_run.stdin.write(compact(e) + "\n")
        cli_run.stdin.flush()
        reports = [json.loads(cli_run.stdout.readline()) for _ in range(half)]
        before = kinesis.shards(stream)
        parent = before[0]
        low = int(parent["HashKeyRange"]["StartingHashKey"])
        high = int(parent["HashKeyRange"]["EndingHashKey"])
        kinesis.call("SplitShard", {"StreamName": stream, "ShardToSplit": parent["ShardId"],
                                    "NewStartingHashKey": str((low + high) // 2)})
        kinesis.wait_active(stream)
        for e in sent[half:]:
            cli_run.stdin.write(compact(e) + "\n")
        cli_run.stdin.close()
        reports += [json.loads(line) for line in cli_run.stdout]
        check(cli_run.wait(120) == 0, "publish failed after the split")
    finally:
        if cli_run.poll() is None:
            cli_run.kill()
        stderr.close()
    after = {s["ShardId"]: s for s in kinesis.shards(stream)}
    check(len(after) == len(before) + 2, f"the split did not happen: {sorted(after)}")
    found = kinesis.user_records(stream)
    # Where each event is reported is where it is, on a shard that covers it; a copy elsewhere
    # (an aggregated record that landed on a new shard) only for possible duplicates.
    expect_located(reports, found, sent)
    duplicates_allowed = {r["event_id"] for r in reports if r.get("possible_duplicate")}
    counts = {}
    for u in found:
        counts[u["data"]] = counts.get(u["data"], 0) + 1
    for e in sent:
        n = counts.get(compact(e["data"]), 0)
        check(n >= 1, f"{e['id']} lost")
        check(n == 1 or e["id"] in duplicates_allowed, f"{e['id']} stored {n} times unflagged")
    # As the KCL reads the stream (a user record on a shard whose range does not cover its hash
    # key is dropped), every event is there exactly once: only what a shard did not cover was
    # sent again.
    ehk_of = {compact(e["data"]): e["data"].get("ehk") for e in sent}
    kcl = {}
    for u in found:
        if covers(u["shard"], hash_key(u["partition_key"], ehk_of[u["data"]])):
            kcl[u["data"]] = kcl.get(u["data"], 0) + 1
    for e in sent:
        check(kcl.get(compact(e["data"]), 0) == 1,
              f"{e['id']}: {kcl.get(compact(e['data']), 0)} copies where the KCL reads them")
    # After the split, records for the parent's range land on its children.
    late = [u for u in found if u["shard"]["ShardId"] not in {s["ShardId"] for s in before}]
    check(late, "no record landed on the new shards")
    print(f"split: {len(sent)} events, {len(late)} on the new shards, "
          f"{len(duplicates_allowed)} reported as possible duplicates, none lost")


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory() as workdir:
        kinesis = KinesisLocal("agg:4,split:2", workdir)
        try:
            test_format(cli, kinesis, workdir)
            test_split(cli, kinesis, workdir)
        finally:
            kinesis.stop()
    print("aggregation_test: passed")


if __name__ == "__main__":
    main()
