#!/usr/bin/python3
"""Reads every record of a Kinesis stream on a local endpoint and prints one JSON line each.

usage: read_kinesis.py ENDPOINT STREAM
"""
import json
import sys

import boto3


def main():
    endpoint, stream = sys.argv[1], sys.argv[2]
    client = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="demo", aws_secret_access_key="demo")
    shards = client.list_shards(StreamName=stream)["Shards"]
    for shard in shards:
        iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            out = client.get_records(ShardIterator=iterator, Limit=1000)
            for record in out["Records"]:
                print(json.dumps({"shard_id": shard["ShardId"],
                                  "sequence_number": record["SequenceNumber"],
                                  "partition_key": record["PartitionKey"],
                                  "data": record["Data"].decode("utf-8")}, ensure_ascii=False))
            if not out["Records"] or out.get("MillisBehindLatest", 0) == 0:
                break
            iterator = out.get("NextShardIterator")


if __name__ == "__main__":
    main()
