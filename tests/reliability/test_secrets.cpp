// Known secrets go through every HTTP destination and error path; they must appear in no log
// line, exception message, report, metrics or to_string. TLS verification off logs a warning.
#include <mutex>
#include <string>
#include <vector>

#include "util/base64.hpp"
#include "eventdest/eventdest.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

const std::string kAwsSecret = "AwsSecretKey/Do+Not+Leak/0123456789abcdef";
const std::string kAwsSession = "SessionTokenDoNotLeak0123456789";
const std::string kRestSecret = "RestApiSecretDoNotLeak";

struct Transcript {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string s) {
    std::lock_guard<std::mutex> lock(mutex);
    lines.push_back(std::move(s));
  }
  void check_clean() {
    std::lock_guard<std::mutex> lock(mutex);
    const std::vector<std::string> secrets = {
        kAwsSecret, kAwsSession, kRestSecret,
        eventdest::detail::base64("rest-key:" + kRestSecret)};  // the Basic auth value
    for (const auto& line : lines) {
      for (const auto& s : secrets) {
        INFO(line);
        CHECK(line.find(s) == std::string::npos);
      }
    }
  }
};

void exercise(Transcript& t, const std::string& spec_json, int events) {
  try {
    auto d = make_destination(spec_json);
    t.add(d->to_string());
    std::vector<std::future<DeliveryReport>> futures;
    for (int i = 0; i < events; ++i) {
      futures.push_back(
          d->publish(Event("orders", R"({"k":")" + std::string(i == 0 ? 300 : 3, 'k') + "\"}")));
    }
    for (auto& f : futures)
      t.add(f.get().to_json());
    d->close();
    t.add(d->metrics().to_json());
  } catch (const std::exception& e) {
    t.add(e.what());
  }
  try {
    t.add(parse_spec(spec_json).to_string());
  } catch (const std::exception& e) {
    t.add(e.what());
  }
}

}  // namespace

TEST_CASE("secrets never appear in logs, errors, reports, metrics or to_string", "[secrets]") {
  Transcript t;
  set_log_handler(
      [&](LogLevel l, std::string_view m) {
        t.add(std::string(to_string(l)) + ": " + std::string(m));
      },
      LogLevel::debug);
  const std::string aws_credentials =
      R"({"key":"AKIDLEAKTEST","secret":")" + kAwsSecret + R"(","session":")" + kAwsSession + "\"}";
  const std::string rest_credentials =
      R"({"api_key":"rest-key","api_secret":")" + kRestSecret + "\"}";
  const std::string fast =
      R"("delivery_timeout_ms":1500,"request_timeout_ms":500,"retry_backoff_ms":5,"retry_backoff_max_ms":20,"partition_key_template":"data.k")";

  // Every answer a server can give: permanent errors, throttling, expired token, garbage, resets.
  const std::vector<std::function<Action(const ServerRequest&)>> answers = {
      [](const ServerRequest&) {
        return Action::respond(
            403, {}, R"({"__type":"AccessDeniedException","message":"denied","error_code":40301})");
      },
      [](const ServerRequest&) {
        return Action::respond(400, {},
                               R"({"__type":"ExpiredTokenException","message":"expired"})");
      },
      [](const ServerRequest&) {
        return Action::respond(401, {}, R"({"error_code":40101,"message":"Unauthorized"})");
      },
      [](const ServerRequest&) {
        return Action::respond(429, {}, R"({"__type":"ThrottlingException","error_code":429})");
      },
      [](const ServerRequest&) { return Action::respond(200, {}, "garbage"); },
      [](const ServerRequest&) { return Action::reset(); },
  };
  for (const auto& answer : answers) {
    HttpServer server(answer);
    exercise(
        t,
        R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
            server.url("") + "\"," + fast + R"(},"credentials":)" + aws_credentials + "}",
        3);
    exercise(t,
             R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + server.url("") +
                 R"(","cluster_id":"c","topic":"t",)" + fast + R"(},"credentials":)" +
                 rest_credentials + "}",
             3);
  }
  // TLS to a plain server, a refused connection, and invalid specs that carry the secrets.
  HttpServer plain([](const ServerRequest&) { return Action::respond(200, {}, "{}"); });
  exercise(
      t,
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":"https://)" +
          plain.host_port() + "\"," + fast + R"(},"credentials":)" + aws_credentials + "}",
      2);
  exercise(
      t,
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"http://127.0.0.1:1","cluster_id":"c","topic":"t",)" +
          fast + R"(},"credentials":)" + rest_credentials + "}",
      2);
  exercise(
      t, R"({"type":"aws_kinesis","config":{"region":"??"},"credentials":)" + aws_credentials + "}",
      1);
  exercise(
      t,
      R"({"type":"kafka_rest","config":{"api_secret":")" + kRestSecret + R"(","tls_verify":"x"}})",
      1);
  set_log_handler(nullptr);
  CHECK(t.lines.size() > 50);
  t.check_clean();
}

TEST_CASE("turning TLS verification off logs a warning", "[secrets][tls]") {
  std::mutex m;
  std::vector<std::string> warnings;
  set_log_handler(
      [&](LogLevel, std::string_view msg) {
        std::lock_guard<std::mutex> lock(m);
        warnings.emplace_back(msg);
      },
      LogLevel::warning);
  {
    auto k = make_destination(
        R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","tls_verify":false}})");
    auto r = make_destination(
        R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c","topic":"t","tls_verify":"false"}})");
    auto verified = make_destination(
        R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c","topic":"t"}})");
  }
  set_log_handler(nullptr);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find("TLS certificate verification is disabled") != std::string::npos);
  CHECK(warnings[1].find("kafka_rest") != std::string::npos);
}
