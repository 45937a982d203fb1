// Messages/s through the kafka adapter next to plain librdkafka producing the same pre-built
// messages (same key, value, headers and settings), each against its own mock cluster, same run;
// plus the adapter's CPU overhead per message.
//   kafka_bench [messages=200000]
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "kafka/mock_cluster.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string data(int i) {
  return R"({"order_id":"o-)" + std::to_string(i) + R"(","customer_id":"c-)" +
         std::to_string(i % 1000) + R"(","total":129.90,"note":")" + std::string(200, 'x') + "\"}";
}

struct Result {
  double rate;
  double cpu_us;
};

Result raw_librdkafka(const std::vector<Event>& events) {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 6);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [k, v] :
       std::vector<std::pair<const char*, std::string>>{{"bootstrap.servers", cluster.bootstraps()},
                                                        {"acks", "all"},
                                                        {"enable.idempotence", "true"},
                                                        {"linger.ms", "5"},
                                                        {"partitioner", "murmur2_random"},
                                                        {"queue.buffering.max.kbytes", "65536"},
                                                        {"log_level", "3"}}) {
    rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err);
  }
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
  for (const auto& e : events) {
    Msg m{"c-" + std::to_string(msgs.size() % 1000), std::string(e.data()), {}};
    m.headers.emplace_back("content-type", "application/json");
    for (auto& h : merged_metadata(e))
      m.headers.push_back(h);
    msgs.push_back(std::move(m));
  }
  const double cpu0 = cpu_seconds();
  const auto t0 = Steady::now();
  for (const auto& m : msgs) {
    while (true) {
      rd_kafka_headers_t* h = rd_kafka_headers_new(m.headers.size());
      for (const auto& [k, v] : m.headers)
        rd_kafka_header_add(h, k.data(), -1, v.data(), -1);
      const auto e = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC("orders"), RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      rd_kafka_headers_destroy(h);
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60000);
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  rd_kafka_destroy(rk);
  if (delivered.load() != static_cast<long>(events.size())) std::printf("raw: not all delivered\n");
  return {events.size() / secs, cpu * 1e6 / events.size()};
}

Result adapter(std::vector<Event> events) {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 6);
  auto d =
      make_destination(R"({"type":"kafka","config":{"brokers":")" + cluster.bootstraps() +
                       R"(","topic":"orders","sasl_mechanism":"none","tls":false,"linger_ms":5,)"
                       R"("partition_key_template":"data.customer_id"}})");
  std::atomic<long> delivered{0};
  const std::size_t n = events.size();
  const double cpu0 = cpu_seconds();
  const auto t0 = Steady::now();
  for (auto& e : events) {
    d->publish(std::move(e), [&](const DeliveryReport& r) {
      if (r.delivered()) ++delivered;
    });
  }
  d->close();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  if (delivered.load() != static_cast<long>(n)) std::printf("adapter: not all delivered\n");
  return {n / secs, cpu * 1e6 / n};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    events.emplace_back("orders", data(i));
  const Result raw = raw_librdkafka(events);
  const Result ours = adapter(events);
  std::printf("raw librdkafka: %.0f msgs/s, CPU %.2f us/msg\n", raw.rate, raw.cpu_us);
  std::printf("eventdest kafka adapter: %.0f msgs/s, CPU %.2f us/msg\n", ours.rate, ours.cpu_us);
  std::printf(
      "{\"raw_msgs_per_s\":%.0f,\"adapter_msgs_per_s\":%.0f,\"ratio\":%.2f,"
      "\"adapter_cpu_overhead_us_per_msg\":%.2f}\n",
      raw.rate, ours.rate, ours.rate / raw.rate, ours.cpu_us - raw.cpu_us);
  return 0;
}
