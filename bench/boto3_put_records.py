#!/usr/bin/python3
"""boto3 put_records (500 records a call) against ENDPOINT; prints records/s on one line.

usage: boto3_put_records.py ENDPOINT COUNT
"""
import sys
import time

import boto3


def event_data(i):
    # Byte for byte the data of kinesis_bench.cpp's event_data(): with metadata_in_payload=false
    # eventdest sends these very records.
    d = ('{"order_id":"o-%d","customer_id":"c-%d","total":129.90,"currency":"EUR",'
         '"items":[{"sku":"A1","qty":2,"price":19.95},{"sku":"B7","qty":1,"price":90.00}],'
         '"shipping":{"city":"Lisbon","country":"PT","method":"express"},"note":"') % (i, i % 1000)
    d += "x" * (300 - min(len(d), 290))
    return (d + '"}').encode()


def main():
    endpoint, count = sys.argv[1], int(sys.argv[2])
    client = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret")
    records = [{"Data": event_data(i), "PartitionKey": f"c-{i % 1000}"} for i in range(count)]
    start = time.perf_counter()
    for i in range(0, count, 500):
        out = client.put_records(StreamName="bench", Records=records[i:i + 500])
        assert out["FailedRecordCount"] == 0
    elapsed = time.perf_counter() - start
    print(f"{count / elapsed:.0f}")


if __name__ == "__main__":
    main()
