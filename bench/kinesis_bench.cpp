// aws_kinesis throughput against a fast local Kinesis-compatible sink that acknowledges at once,
// next to boto3 put_records (500 a call) on the same sink in the same run; plus the memory held
// per buffered event. eventdest runs twice: sending the very records boto3 sends (the event data,
// metadata_in_payload=false), and in its default format (metadata in the payload).
//
//   kinesis_bench [events=200000] [boto3_events=50000] [buffered_events=1000000]
//   kinesis_bench --put-record [events=20000] [boto3_events=2000]
// The second form compares `api: put_record` (one PutRecord request per event, as under an IAM
// policy that allows kinesis:PutRecord only) with a boto3 put_record loop on the same sink.
// Prints one line per figure and a JSON summary line.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <thread>

#include "eventdest/eventdest.hpp"
#include "fast_kinesis_sink.hpp"
#include "http/test_server.hpp"
#include "support/process_stats.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

std::string event_data(int i) {
  // ~300 bytes of JSON.
  std::string d =
      R"({"order_id":"o-)" + std::to_string(i) + R"(","customer_id":"c-)" +
      std::to_string(i % 1000) +
      R"(","total":129.90,"currency":"EUR","items":[{"sku":"A1","qty":2,"price":19.95},)"
      R"({"sku":"B7","qty":1,"price":90.00}],"shipping":{"city":"Lisbon","country":"PT",)"
      R"("method":"express"},"note":")";
  d.append(300 - std::min<std::size_t>(d.size(), 290), 'x');
  d += "\"}";
  return d;
}

std::string spec_for(const std::string& url, const std::string& extra = "") {
  return R"({"type":"aws_kinesis","config":{"stream_name":"bench","region":"us-east-1",)"
         R"("endpoint":")" +
         url + R"(","partition_key_template":"data.customer_id")" + extra +
         R"(},"credentials":{"key":"AKIDBENCH","secret":"bench-secret"}})";
}

// What the report callback updates. The callback captures one reference to it, as a careful
// user would: a std::function holding more than 16 bytes of captures allocates per event.
struct Tally {
  std::atomic<long> delivered{0}, failed{0};
  long events = 0;
  std::map<std::string, double> threads1;  // CPU per thread when the last report arrived
};

// Publishes `events` events from one thread to a destination on `sink` and waits for every
// report; prints the rate, CPU per record and CPU per thread. Returns records/s.
double run_eventdest(test::HttpServer& sink, int events, const std::string& extra,
                     const char* label, Tally& tally) {
  std::vector<Event> prepared;
  prepared.reserve(static_cast<std::size_t>(events));
  for (int i = 0; i < events; ++i)
    prepared.emplace_back("orders", event_data(i));
  tally.events = events;
  const std::size_t requests0 = sink.requests_received();
  auto d = make_destination(spec_for(
      sink.url(""), R"(,"linger_ms":5)" +
                        std::string(extra.find("max_in_flight_requests") == std::string::npos
                                        ? R"(,"max_in_flight_requests":4)"
                                        : "") +
                        extra));
  // CPU per thread between the first publish and the last report: which stage costs what.
  const auto threads0 = test::thread_cpu_seconds();
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (auto& e : prepared) {
    d->publish(std::move(e), [&tally](const DeliveryReport& r) {
      const long n = (r.delivered() ? tally.delivered : tally.failed).fetch_add(1) + 1;
      if (n + (r.delivered() ? tally.failed : tally.delivered).load() == tally.events)
        tally.threads1 = test::thread_cpu_seconds();
    });
  }
  d->close();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double rate = events / secs;
  std::printf(
      "eventdest (%s): %d records in %.3f s = %.0f records/s (%ld delivered, %ld failed), "
      "CPU %.2f us/record, %zu requests\n",
      label, events, secs, rate, tally.delivered.load(), tally.failed.load(),
      (test::cpu_seconds() - cpu0) * 1e6 / events, sink.requests_received() - requests0);
  std::printf("CPU per thread (us/record):");
  for (const auto& [name, used_secs] : tally.threads1) {
    const auto before = threads0.find(name);
    const double used = used_secs - (before == threads0.end() ? 0.0 : before->second);
    if (used > 0) std::printf(" %s %.2f", name.c_str(), used * 1e6 / events);
  }
  std::printf("\n");
  return rate;
}

}  // namespace

// boto3's rate (records/s) from one of bench/'s scripts run against `url`.
double run_boto3(const char* script_name, const std::string& url, int count) {
  const std::string script = std::string(EVENTDEST_BENCH_DIR) + "/" + script_name;
  const std::string cmd = "/usr/bin/python3 " + script + " " + url + " " + std::to_string(count);
  FILE* p = popen(cmd.c_str(), "r");
  char line[256] = {0};
  double rate = 0;
  if (p && std::fgets(line, sizeof line, p)) rate = std::atof(line);
  if (p) pclose(p);
  return rate;
}

// `api: put_record` vs boto3 put_record, both one request per record, same records and sink.
// One record per request needs more requests in flight than batches do: 16 (the option a user
// of put_record would raise too).
int put_record_main(int events, int boto_events) {
  test::HttpServer sink(bench::acknowledge);
  Tally tally;
  const double ours = run_eventdest(
      sink, events,
      R"(,"metadata_in_payload":false,"api":"put_record","max_in_flight_requests":16)",
      "api put_record, data only", tally);
  const double boto = run_boto3("boto3_put_record.py", sink.url(""), boto_events);
  std::printf("boto3 put_record: %.0f records/s (%d records)\n", boto, boto_events);
  std::printf(
      "{\"eventdest_put_record_records_per_s\":%.0f,\"boto3_put_record_records_per_s\":%.0f,"
      "\"ratio\":%.1f}\n",
      ours, boto, boto > 0 ? ours / boto : 0.0);
  return tally.failed.load() == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--put-record") {
    return put_record_main(argc > 2 ? std::atoi(argv[2]) : 20000,
                           argc > 3 ? std::atoi(argv[3]) : 2000);
  }
  const int events = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int boto_events = argc > 2 ? std::atoi(argv[2]) : 50000;
  const int buffered = argc > 3 ? std::atoi(argv[3]) : 1000000;
  test::HttpServer sink(bench::acknowledge);
  std::printf("event data: %zu bytes\n", event_data(0).size());

  // eventdest, one publishing thread, in two record formats:
  // - the default: metadata in the payload ({"metadata":{event-id, topic, timestamp},"data":...},
  //   a ~400-byte record for a ~300-byte event: a third more to encode, hash and send);
  // - records as boto3 sends them below (metadata_in_payload=false: the event data alone).
  Tally with_metadata, data_only;
  double ours_default_rate = 0, ours_rate = 0;
  if (events > 0) {
    ours_default_rate = run_eventdest(sink, events, "", "metadata in payload", with_metadata);
  }
  // boto3 put_records, 500 a call, same sink, same data size.
  double boto_rate = 0;
  if (boto_events > 0) {
    boto_rate = run_boto3("boto3_put_records.py", sink.url(""), boto_events);
    std::printf("boto3 put_records: %.0f records/s (%d records)\n", boto_rate, boto_events);
  }

  if (events > 0) {
    ours_rate = run_eventdest(sink, events, R"(,"metadata_in_payload":false)",
                              "data only, as boto3", data_only);
  }

  // Memory held per buffered event: the sink stalls, 1M events wait in the buffer.
  double bytes_per_event = 0;
  if (buffered > 0) {
    test::HttpServer stalled([](const test::ServerRequest&) { return test::Action::stall(); });
    auto d = make_destination(spec_for(
        stalled.url(""),
        R"(,"max_buffered_bytes":4294967296,"max_in_flight_requests":1,"request_timeout_ms":600000,"delivery_timeout_ms":1000)"));
    const long before = test::rss_kib();
    for (int i = 0; i < buffered; ++i)
      d->publish(Event("orders", event_data(i)), nullptr);
    const long after = test::rss_kib();
    bytes_per_event = (after - before) * 1024.0 / buffered;
    std::printf("memory: %d events buffered hold %.1f MiB = %.0f bytes/event (data %zu bytes)\n",
                buffered, (after - before) / 1024.0, bytes_per_event, event_data(0).size());
    d->close();
  }
  // "ratio": the same records as boto3's; "ratio_metadata_in_payload": the default format.
  std::printf(
      "{\"eventdest_records_per_s\":%.0f,\"eventdest_metadata_in_payload_records_per_s\":%.0f,"
      "\"boto3_records_per_s\":%.0f,\"ratio\":%.1f,\"ratio_metadata_in_payload\":%.1f,"
      "\"bytes_per_buffered_event\":%.0f}\n",
      ours_rate, ours_default_rate, boto_rate, boto_rate > 0 ? ours_rate / boto_rate : 0.0,
      boto_rate > 0 ? ours_default_rate / boto_rate : 0.0, bytes_per_event);
  return with_metadata.failed.load() == 0 && data_only.failed.load() == 0 ? 0 : 1;
}
