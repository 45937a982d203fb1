// aws_kinesis with `aggregation: true` vs without, same events, same sink, same run:
//  1. against a sink without limits: user records per second, CPU and bytes on the wire per
//     user record, for ~100-byte and ~1 KB events;
//  2. against a sink that enforces Kinesis' per-shard limits (1,000 records/s and 1 MiB/s per
//     shard, ProvisionedThroughputExceededException beyond), N shards: the user records per
//     second each mode sustains (target with aggregation of 100-byte events: >= 8x without), and
//     with `shard_rate_limit` as well.
//
//   kinesis_aggregation_bench [events=200000] [shards=4] [seconds=8]
// Prints one line per figure and a JSON summary line.
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "http/test_server.hpp"
#include "kinesis/hash_key.hpp"
#include "support/process_stats.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

// A Kinesis stream of `shards` even shards on the tests' HTTP server: answers ListShards, and
// PutRecords record by record; with `limited`, each shard takes at most 1,000 records/s and
// 1 MiB/s (token buckets holding one second's worth) and throttles the rest, as Kinesis does.
class ShardLimitedKinesis {
 public:
  ShardLimitedKinesis(int shards, bool limited)
      : shards_(shards),
        limited_(limited),
        buckets_(static_cast<std::size_t>(shards)),
        server_([this](const test::ServerRequest& r) { return handle(r); }) {
    const auto now = Steady::now();
    for (auto& b : buckets_)
      b.last = now;
  }
  std::string url() const { return server_.url(""); }
  std::uint64_t wire_bytes() const { return wire_bytes_.load(); }
  std::uint64_t kinesis_records() const { return accepted_.load(); }
  std::uint64_t throttled() const { return throttled_.load(); }

 private:
  struct Bucket {
    double records = 1000;
    double bytes = 1 << 20;
    Steady::time_point last;
  };

  detail::HashKey width() const { return ~detail::HashKey(0) / static_cast<unsigned>(shards_) + 1; }

  test::Action handle(const test::ServerRequest& r) {
    const auto json = test::Headers{{"Content-Type", "application/x-amz-json-1.1"}};
    wire_bytes_ += r.body.size();
    if (r.header("x-amz-target") == "Kinesis_20131202.ListShards") {
      std::string body = R"({"Shards":[)";
      for (int i = 0; i < shards_; ++i) {
        const detail::HashKey start = width() * static_cast<unsigned>(i);
        const detail::HashKey end = i + 1 == shards_ ? ~detail::HashKey(0) : start + width() - 1;
        if (i) body += ',';
        body += R"({"ShardId":"shardId-)" + std::to_string(100000000000 + i).substr(0) +
                R"(","HashKeyRange":{"StartingHashKey":")" + detail::to_decimal(start) +
                R"(","EndingHashKey":")" + detail::to_decimal(end) + R"("}})";
      }
      return test::Action::respond(200, json, body + "]}");
    }
    rapidjson::Document doc;
    doc.Parse(r.body.c_str(), r.body.size());
    if (doc.HasParseError() || !doc.HasMember("Records")) {
      return test::Action::respond(400, json, R"({"__type":"SerializationException"})");
    }
    std::string body = R"({"FailedRecordCount":0,"Records":[)";
    int failed = 0;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Steady::now();
    bool first = true;
    for (const auto& rec : doc["Records"].GetArray()) {
      const std::string key = rec["PartitionKey"].GetString();
      const std::size_t b64 = rec["Data"].GetStringLength();
      const std::string_view data(rec["Data"].GetString(), b64);
      const std::size_t padding = (b64 && data.back() == '=') + (b64 > 1 && data[b64 - 2] == '=');
      const double size = static_cast<double>(b64 / 4 * 3 - padding + key.size());
      detail::HashKey hash = detail::hash_key_of_partition_key(key);
      if (rec.HasMember("ExplicitHashKey")) {
        hash = *detail::parse_hash_key(rec["ExplicitHashKey"].GetString());
      }
      const int shard = static_cast<int>(hash / width());
      Bucket& b = buckets_[static_cast<std::size_t>(shard)];
      const double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.last = now;
      b.records = std::min(1000.0, b.records + elapsed * 1000);
      b.bytes = std::min(double(1 << 20), b.bytes + elapsed * (1 << 20));
      if (!first) body += ',';
      first = false;
      if (limited_ && (b.records < 1 || b.bytes < size)) {
        ++failed;
        ++throttled_;
        body += R"({"ErrorCode":"ProvisionedThroughputExceededException",)"
                R"("ErrorMessage":"Rate exceeded for shard shardId-)" +
                std::to_string(100000000000 + shard) + R"("})";
        continue;
      }
      b.records -= 1;
      b.bytes -= size;
      ++accepted_;
      body += R"({"SequenceNumber":"1","ShardId":"shardId-)" +
              std::to_string(100000000000 + shard) + "\"}";
    }
    body += "]}";
    body.replace(body.find("\"FailedRecordCount\":0"), 21,
                 "\"FailedRecordCount\":" + std::to_string(failed));
    return test::Action::respond(200, json, body);
  }

  const int shards_;
  const bool limited_;
  std::mutex mutex_;
  std::vector<Bucket> buckets_;
  std::atomic<std::uint64_t> wire_bytes_{0}, accepted_{0}, throttled_{0};
  test::HttpServer server_;  // last: stopped first
};

std::string event_data(int i, std::size_t size) {
  std::string d = R"({"customer_id":"c-)" + std::to_string(i % 1000) + R"(","n":)" +
                  std::to_string(i) + R"(,"pad":")";
  d.append(size > d.size() + 2 ? size - d.size() - 2 : 0, 'x');
  return d + "\"}";
}

std::string spec_for(const std::string& url, const std::string& extra) {
  return R"({"type":"aws_kinesis","config":{"stream_name":"bench","region":"us-east-1",)"
         R"("endpoint":")" +
         url +
         R"(","partition_key_template":"data.customer_id","metadata_in_payload":false,)"
         R"("linger_ms":20,"max_in_flight_requests":4)" +
         extra + R"(},"credentials":{"key":"AKIDBENCH","secret":"bench-secret"}})";
}

struct Unlimited {
  double records_per_s = 0, cpu_us = 0, wire_bytes_per_record = 0;
};

// Every event published from one thread, then close(): the whole run's rate.
Unlimited run_unlimited(int events, std::size_t size, bool aggregation) {
  ShardLimitedKinesis sink(4, false);
  std::vector<Event> prepared;
  prepared.reserve(static_cast<std::size_t>(events));
  for (int i = 0; i < events; ++i)
    prepared.emplace_back("orders", event_data(i, size));
  auto d = make_destination(spec_for(sink.url(), aggregation ? R"(,"aggregation":true)" : ""));
  std::atomic<long> delivered{0};
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (auto& e : prepared) {
    d->publish(std::move(e), [&delivered](const DeliveryReport& r) { delivered += r.delivered(); });
  }
  d->close();
  Unlimited out;
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  out.records_per_s = delivered / secs;
  out.cpu_us = (test::cpu_seconds() - cpu0) * 1e6 / events;
  out.wire_bytes_per_record = static_cast<double>(sink.wire_bytes()) / events;
  std::printf(
      "no limits, %4zu-byte events, aggregation %-3s: %8.0f user records/s, CPU %.2f us/record "
      "(sink included), %6.1f bytes on the wire/record, %llu Kinesis records (%ld delivered)\n",
      size, aggregation ? "on" : "off", out.records_per_s, out.cpu_us, out.wire_bytes_per_record,
      static_cast<unsigned long long>(sink.kinesis_records()), delivered.load());
  return out;
}

// Publishes as fast as the destination takes events (on_queue_full block) for `seconds`; the
// rate is what was delivered after the first two seconds (the buckets start full).
double run_limited(int shards, double seconds, std::size_t size, const std::string& extra,
                   const char* label) {
  ShardLimitedKinesis sink(shards, true);
  auto d = make_destination(
      spec_for(sink.url(), extra + R"(,"max_buffered_bytes":8388608,"retry_backoff_ms":50,)"
                                   R"("retry_backoff_max_ms":1000,"delivery_timeout_ms":600000)"));
  std::atomic<long> delivered{0};
  const auto t0 = Steady::now();
  const auto warm = t0 + std::chrono::seconds(2);
  const auto end =
      t0 + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  long at_warm = -1;
  for (int i = 0; Steady::now() < end; ++i) {
    if (at_warm < 0 && Steady::now() >= warm) at_warm = delivered.load();
    d->publish(Event("orders", event_data(i, size)),
               [&delivered](const DeliveryReport& r) { delivered += r.delivered(); });
  }
  const long at_end = delivered.load();
  const double rate = (at_end - std::max(0L, at_warm)) / (seconds - 2);
  std::printf(
      "%d shards at Kinesis' limits, %4zu-byte events, %-34s: %8.0f user records/s "
      "(%llu throttled Kinesis records)\n",
      shards, size, label, rate, static_cast<unsigned long long>(sink.throttled()));
  d->close(std::chrono::milliseconds(0));
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int shards = argc > 2 ? std::atoi(argv[2]) : 4;
  const double seconds = argc > 3 ? std::atof(argv[3]) : 8;

  const Unlimited small_plain = run_unlimited(events, 100, false);
  const Unlimited small_agg = run_unlimited(events, 100, true);
  const Unlimited large_plain = run_unlimited(events / 4, 1000, false);
  const Unlimited large_agg = run_unlimited(events / 4, 1000, true);

  const double limited_plain = run_limited(shards, seconds, 100, "", "aggregation off");
  const double limited_agg =
      run_limited(shards, seconds, 100, R"(,"aggregation":true)", "aggregation on");
  const double limited_paced =
      run_limited(shards, seconds, 100, R"(,"aggregation":true,"shard_rate_limit":true)",
                  "aggregation on, shard_rate_limit");
  const double limited_large_plain = run_limited(shards, seconds, 1000, "", "aggregation off");
  const double limited_large_agg =
      run_limited(shards, seconds, 1000, R"(,"aggregation":true)", "aggregation on");

  std::printf(
      "{\"small_records_per_s\":{\"off\":%.0f,\"on\":%.0f},\"small_wire_bytes_per_record\":{"
      "\"off\":%.1f,\"on\":%.1f},\"large_records_per_s\":{\"off\":%.0f,\"on\":%.0f},"
      "\"large_wire_bytes_per_record\":{\"off\":%.1f,\"on\":%.1f},\"shards\":%d,"
      "\"limited_small_records_per_s\":{\"off\":%.0f,\"on\":%.0f,\"on_paced\":%.0f},"
      "\"limited_small_ratio\":%.1f,\"limited_large_records_per_s\":{\"off\":%.0f,\"on\":%.0f},"
      "\"limited_large_ratio\":%.1f}\n",
      small_plain.records_per_s, small_agg.records_per_s, small_plain.wire_bytes_per_record,
      small_agg.wire_bytes_per_record, large_plain.records_per_s, large_agg.records_per_s,
      large_plain.wire_bytes_per_record, large_agg.wire_bytes_per_record, shards, limited_plain,
      limited_agg, limited_paced, limited_plain > 0 ? limited_agg / limited_plain : 0.0,
      limited_large_plain, limited_large_agg,
      limited_large_plain > 0 ? limited_large_agg / limited_large_plain : 0.0);
  return 0;
}
