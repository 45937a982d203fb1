#!/usr/bin/env python3
"""Writes one fuzzer seed per compliance case (expression NUL given-JSON) into a directory."""
import hashlib
import json
import pathlib
import sys

suite_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/conformance/jmespath")
out_dir = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "build-fuzz/corpus/jmespath")
out_dir.mkdir(parents=True, exist_ok=True)
count = 0
for path in sorted(suite_dir.glob("*.json")):
    for suite in json.loads(path.read_text()):
        given = json.dumps(suite["given"], separators=(",", ":")).encode()
        for case in suite["cases"]:
            data = case["expression"].encode() + b"\0" + given
            (out_dir / hashlib.sha1(data).hexdigest()).write_bytes(data)
            count += 1
print(f"{count} seeds in {out_dir}")
