#!/usr/bin/python3
"""boto3 put_record (one record a call) against ENDPOINT; prints records/s on one line.

usage: boto3_put_record.py ENDPOINT COUNT
"""
import sys
import time

import boto3

from boto3_put_records import event_data


def main():
    endpoint, count = sys.argv[1], int(sys.argv[2])
    client = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret")
    records = [(event_data(i), f"c-{i % 1000}") for i in range(count)]
    start = time.perf_counter()
    for data, key in records:
        out = client.put_record(StreamName="bench", Data=data, PartitionKey=key)
        assert out["ShardId"]
    elapsed = time.perf_counter() - start
    print(f"{count / elapsed:.0f}")


if __name__ == "__main__":
    main()
