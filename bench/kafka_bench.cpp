// Messages/s through the kafka adapter next to plain librdkafka producing the same pre-built
// messages (same key, value, headers, and the very librdkafka properties the adapter sets), same
// run, alternating rounds; plus CPU per message, and the time from creating each producer to its
// first delivery. Against librdkafka's mock cluster by default, or
// against a real Apache Kafka 4.x (scripts/kafka-broker.sh) over PLAINTEXT and over SASL_SSL with
// SCRAM-SHA-512.
//   kafka_bench [messages=200000] [rounds=3] [--real] [--adapter-only]
//   kafka_bench --raw-file SPEC_FILE EVENTS_FILE
// --adapter-only runs the adapter alone (for a profiler: valgrind --tool=callgrind ...).
// --raw-file runs plain librdkafka alone, once, on the events of an NDJSON file (their data as
// values, the adapter's keys, headers and properties for the destination spec in SPEC_FILE) and
// prints "<messages/s> <CPU us per message>": bench/cli_bench.sh compares the CLI with it.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "kafka/mock_cluster.hpp"
#include "kafka_broker/kafka_cluster.hpp"
#include "support/process_stats.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

std::string data(int i) {
  return R"({"order_id":"o-)" + std::to_string(i) + R"(","customer_id":"c-)" +
         std::to_string(i % 1000) + R"(","total":129.90,"note":")" + std::string(200, 'x') + "\"}";
}

struct Result {
  double rate;
  double cpu_us;
  std::map<std::string, double> thread_us;  ///< CPU per message per thread (by thread name)
};

// CPU per message of each thread between two snapshots of test::thread_cpu_seconds().
std::map<std::string, double> per_thread(const std::map<std::string, double>& before,
                                         const std::map<std::string, double>& after, double n) {
  std::map<std::string, double> out;
  for (const auto& [name, secs] : after) {
    const auto b = before.find(name);
    const double used = secs - (b == before.end() ? 0.0 : b->second);
    if (used > 0) out[name] = used * 1e6 / n;
  }
  return out;
}

std::string describe(const std::map<std::string, double>& threads) {
  std::string out;
  char buf[96];
  for (const auto& [name, us] : threads) {
    std::snprintf(buf, sizeof buf, " %s %.2f", name.c_str(), us);
    out += buf;
  }
  return out;
}

// The destination spec both sides use: the raw producer gets kafka_properties() of it.
std::string spec_for(const std::string& brokers, const std::string& topic,
                     const std::string& security, const std::string& credentials = "") {
  return R"({"type":"kafka","config":{"brokers":")" + brokers + R"(","topic":")" + topic + R"(",)" +
         security + R"(,"linger_ms":5,"partition_key_template":"data.customer_id"})" +
         (credentials.empty() ? "" : R"(,"credentials":{)" + credentials + "}") + "}";
}

// The raw producer's configuration: the very properties the adapter sets for `config`.
rd_kafka_conf_t* raw_conf(const KafkaConfig& config) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : kafka_properties(config)) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      std::fprintf(stderr, "raw: %s: %s\n", k.c_str(), err);
  }
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  return conf;
}

Result raw_librdkafka(const std::vector<Event>& events, const std::string& spec_json) {
  const KafkaConfig config = KafkaConfig::from_spec(parse_spec(spec_json));
  char err[512];
  rd_kafka_conf_t* conf = raw_conf(config);
  static std::atomic<long> delivered;
  delivered = 0;
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (!m->err) ++delivered;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  // Pre-built keys and headers: what the adapter computes per event is done before timing.
  struct Msg {
    std::string key, value;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::vector<Msg> msgs;
  msgs.reserve(events.size());
  const PartitionKeyTemplate key_template(config.partition_key_template);
  for (const auto& e : events) {
    Msg m{key_template.key(e), std::string(e.data()), {}};
    m.headers.emplace_back("content-type", "application/json");
    for (auto& h : merged_metadata(e))
      m.headers.push_back(h);
    msgs.push_back(std::move(m));
  }
  // Connected, with its idempotent producer id, before timing starts (as the adapter below).
  rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(config.topic.c_str()),
                    RD_KAFKA_V_VALUE(const_cast<char*>("{}"), 2),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  rd_kafka_flush(rk, 60000);
  delivered = 0;
  const auto threads0 = test::thread_cpu_seconds();
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (const auto& m : msgs) {
    while (true) {
      rd_kafka_headers_t* h = rd_kafka_headers_new(m.headers.size());
      for (const auto& [k, v] : m.headers)
        rd_kafka_header_add(h, k.data(), -1, v.data(), -1);
      const auto e = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(config.topic.c_str()), RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      rd_kafka_headers_destroy(h);
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double cpu = test::cpu_seconds() - cpu0;
  const auto threads = per_thread(threads0, test::thread_cpu_seconds(), events.size());
  rd_kafka_destroy(rk);
  if (delivered.load() != static_cast<long>(events.size()))
    std::fprintf(stderr, "raw: not all delivered\n");
  return {events.size() / secs, cpu * 1e6 / events.size(), threads};
}

Result adapter(std::vector<Event> events, const std::string& spec_json) {
  auto d = make_destination(spec_json);
  // Connected, with its idempotent producer id, before timing starts: that takes a few hundred
  // milliseconds that are no part of the per-message cost.
  d->publish(Event("orders", "{}")).get();
  std::atomic<long> delivered{0};
  const std::size_t n = events.size();
  const auto threads0 = test::thread_cpu_seconds();
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (auto& e : events) {
    d->publish(std::move(e), [&](const DeliveryReport& r) {
      if (r.delivered()) ++delivered;
    });
  }
  d->flush(std::chrono::minutes(2));
  const auto threads = per_thread(threads0, test::thread_cpu_seconds(), n);
  d->close();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double cpu = test::cpu_seconds() - cpu0;
  if (delivered.load() != static_cast<long>(n)) std::printf("adapter: not all delivered\n");
  return {n / secs, cpu * 1e6 / n, threads};
}

// Milliseconds from creating a producer to its first delivery report: the adapter, and plain
// librdkafka with the same properties (which waits for the idempotent producer id's timer).
double first_delivery_ms_adapter(const std::string& spec_json) {
  const auto t0 = Steady::now();
  auto d = make_destination(spec_json);
  d->publish(Event("orders", "{}")).get();
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
  d->close();
  return ms;
}

double first_delivery_ms_raw(const std::string& spec_json) {
  const KafkaConfig config = KafkaConfig::from_spec(parse_spec(spec_json));
  char err[512];
  rd_kafka_conf_t* conf = raw_conf(config);
  const auto t0 = Steady::now();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(config.topic.c_str()),
                    RD_KAFKA_V_VALUE(const_cast<char*>("{}"), 2),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  rd_kafka_flush(rk, 60000);
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
  rd_kafka_destroy(rk);
  return ms;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Alternating rounds of raw and adapter on one target; prints each round and the medians.
bool adapter_only = false;

void compare(const char* name, const std::vector<Event>& events, const std::string& spec_json,
             int rounds) {
  std::vector<double> raw_first, ours_first;
  for (int r = 0; r < 3; ++r) {
    raw_first.push_back(first_delivery_ms_raw(spec_json));
    ours_first.push_back(first_delivery_ms_adapter(spec_json));
  }
  std::printf(
      "%s: first delivery after creating the producer: raw librdkafka %.0f ms, adapter %.0f ms "
      "(medians of 3)\n",
      name, median(raw_first), median(ours_first));
  std::vector<double> raw_rate, ours_rate, ratio, raw_cpu, ours_cpu;
  for (int r = 0; r < rounds; ++r) {
    const Result raw = adapter_only ? Result{1, 0, {}} : raw_librdkafka(events, spec_json);
    const Result ours = adapter(events, spec_json);
    std::printf(
        "%s round %d: raw librdkafka %.0f msgs/s (CPU %.2f us/msg), adapter %.0f msgs/s "
        "(CPU %.2f us/msg), ratio %.2f\n",
        name, r + 1, raw.rate, raw.cpu_us, ours.rate, ours.cpu_us, ours.rate / raw.rate);
    std::printf("  CPU per thread (us/msg): raw:%s; adapter:%s\n", describe(raw.thread_us).c_str(),
                describe(ours.thread_us).c_str());
    raw_rate.push_back(raw.rate);
    ours_rate.push_back(ours.rate);
    ratio.push_back(ours.rate / raw.rate);
    raw_cpu.push_back(raw.cpu_us);
    ours_cpu.push_back(ours.cpu_us);
  }
  std::printf(
      "{\"target\":\"%s\",\"rounds\":%d,\"raw_msgs_per_s\":%.0f,\"adapter_msgs_per_s\":%.0f,"
      "\"ratio\":%.2f,\"ratio_min\":%.2f,\"raw_cpu_us_per_msg\":%.2f,"
      "\"adapter_cpu_us_per_msg\":%.2f}\n",
      name, rounds, median(raw_rate), median(ours_rate), median(ratio),
      *std::min_element(ratio.begin(), ratio.end()), median(raw_cpu), median(ours_cpu));
}

// The whole of a text file (empty if it cannot be read).
std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// --raw-file: plain librdkafka on the events of an NDJSON file, for cli_bench.sh.
int raw_file(const char* spec_path, const char* events_path) {
  const std::string spec = read_file(spec_path);
  std::vector<Event> events;
  std::ifstream in(events_path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) events.push_back(Event::from_json(line));
  }
  if (spec.empty() || events.empty()) {
    std::fprintf(stderr, "kafka_bench --raw-file: nothing to read in %s or %s\n", spec_path,
                 events_path);
    return 2;
  }
  const Result raw = raw_librdkafka(events, spec);
  std::printf("%.0f %.3f\n", raw.rate, raw.cpu_us);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--raw-file") == 0) return raw_file(argv[2], argv[3]);
  int n = 200000;
  bool real = false;
  int rounds = 3;
  std::vector<std::string> numbers;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--real") == 0)
      real = true;
    else if (std::strcmp(argv[i], "--adapter-only") == 0)
      adapter_only = true;
    else
      numbers.emplace_back(argv[i]);
  }
  if (!numbers.empty()) n = std::atoi(numbers[0].c_str());
  if (numbers.size() > 1) rounds = std::atoi(numbers[1].c_str());
  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    events.emplace_back("orders", data(i));

  if (!real) {
    kafka::MockCluster cluster;
    cluster.create_topic("orders", 6);
    compare("mock", events,
            spec_for(cluster.bootstraps(), "orders", R"("sasl_mechanism":"none","tls":false)"),
            rounds);
    return 0;
  }
  test::KafkaCluster cluster(1);
  std::printf("Kafka broker ready in %.1f s\n", cluster.start_seconds());
  cluster.create_topic("orders", 6);
  compare(
      "plaintext", events,
      spec_for(cluster.listener("PLAINTEXT"), "orders", R"("sasl_mechanism":"none","tls":false)"),
      rounds);
  compare("sasl_ssl_scram_sha_512", events,
          spec_for(cluster.listener("SASL_SSL"), "orders",
                   R"("sasl_mechanism":"scram-sha-512","ca_location":")" + cluster.ca() + "\"",
                   R"("username":"alice","password":"alice-secret")"),
          rounds);
  return 0;
}
