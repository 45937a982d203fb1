#!/usr/bin/python3
"""Prints the REST Proxy emulator's stored records (GET /_emulator/records JSON on stdin)."""
import json
import sys

for record in json.load(sys.stdin):
    headers = ", ".join("%s=%s" % (h["name"], h["value"]) for h in record["headers"])
    print("partition=%s offset=%s key=%s headers=[%s]"
          % (record["partition"], record["offset"], record["key"], headers))
    print("  value=" + json.dumps(record["value"], separators=(",", ":"), ensure_ascii=False))
