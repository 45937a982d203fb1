// Typed configs (KinesisConfig, KafkaRestConfig, KafkaConfig) are checked by the same rules as
// JSON specs: validate() lists every problem under the spec's field names, make_*_destination()
// refuses what validate() refuses, and a config read from a valid spec validates.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "eventdest/aws/credentials.hpp"
#include "eventdest/eventdest.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

bool has(const std::vector<FieldProblem>& problems, const std::string& field,
         const std::string& text = "") {
  return std::any_of(problems.begin(), problems.end(), [&](const FieldProblem& p) {
    return p.field == field && p.problem.find(text) != std::string::npos;
  });
}

KinesisConfig valid_kinesis() {
  KinesisConfig c;
  c.stream_name = "orders";
  c.region = "us-east-1";
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "secret";
  return c;
}

}  // namespace

TEST_CASE("an empty typed config lists every required field at once", "[spec][typed]") {
  auto kinesis = KinesisConfig{}.validate();
  CHECK(has(kinesis, "config.stream_name", "is required"));
  CHECK(has(kinesis, "config.region", "is required"));

  auto rest = KafkaRestConfig{}.validate();
  CHECK(has(rest, "config.bootstrap_servers", "is required"));
  CHECK(has(rest, "config.cluster_id", "is required"));
  CHECK(has(rest, "config.topic", "is required"));

  auto kafka = KafkaConfig{}.validate();
  CHECK(has(kafka, "config.brokers", "is required"));
  CHECK(has(kafka, "config.topic", "is required"));
  // PLAIN is the typed default: its credentials are required, as a spec naming it would be.
  CHECK(has(kafka, "credentials.username", "is required"));
}

TEST_CASE("typed configs get the spec's range and format rules", "[spec][typed]") {
  KinesisConfig c = valid_kinesis();
  CHECK(c.validate().empty());
  c.max_batch_records = 501;
  c.region = "US East";
  c.secret_access_key.clear();
  c.delivery.retry_backoff_max = std::chrono::milliseconds(1);
  c.partition_key_template = "data.(";
  const auto problems = c.validate();
  CHECK(has(problems, "config.max_batch_records", "between 1 and 500"));
  CHECK(has(problems, "config.region", "AWS region"));
  CHECK(std::count_if(problems.begin(), problems.end(),
                      [](const FieldProblem& p) { return p.field == "credentials.secret"; }) == 1);
  CHECK(has(problems, "config.retry_backoff_max_ms", "retry_backoff_ms"));
  CHECK(has(problems, "config.partition_key_template", "invalid JMESPath"));
  // make_kinesis_destination refuses exactly what validate() reports.
  try {
    make_kinesis_destination(c);
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.problems().size() == problems.size());
  }

  KafkaConfig k;
  k.brokers = "localhost:9092";
  k.topic = "bad topic";
  k.sasl_mechanism = KafkaSaslMechanism::none;
  k.tls = false;
  k.partitioner = "round_robin";
  k.ca_pem = "-----BEGIN CERTIFICATE-----";
  const auto kafka_problems = k.validate();
  CHECK(has(kafka_problems, "config.topic", "249"));
  CHECK(has(kafka_problems, "config.partitioner", "must be one of"));
  CHECK(has(kafka_problems, "config.tls", "TLS settings"));
}

TEST_CASE("a config read from a valid spec validates as a typed config", "[spec][typed]") {
  auto kinesis = KinesisConfig::from_spec(parse_spec(
      R"({"type":"aws_kinesis","config":{"stream_arn":"arn:aws:kinesis:eu-west-1:123456789012:stream/s1",
          "endpoint":"http://localhost:4567","max_batch_records":100,"timestamp_format":"rfc3339_ms",
          "on_queue_full":"fail","partition_key_template":"metadata.tenant"},
          "credentials":{"key":"AK","secret":"S","session":"T"}})"));
  CHECK(kinesis.stream_name == "s1");
  CHECK(kinesis.region == "eu-west-1");
  CHECK(kinesis.validate().empty());

  auto rest = KafkaRestConfig::from_spec(parse_spec(
      R"({"type":"kafka_rest","id":"d1","config":{"bootstrap_servers":"rest_proxy:8082","cluster_id":"c1",
          "topic":"orders","mode":"batch","record_format":"hookstream","tls_verify":false},
          "credentials":{"api_key":"k","api_secret":"s"}})"));
  CHECK(rest.validate().empty());

  auto kafka = KafkaConfig::from_spec(parse_spec(
      R"({"type":"kafka","config":{"brokers":"b1:9092,b2:9092","topic":"orders","sasl_mechanism":"scram-sha-512",
          "compression":"zstd","librdkafka":{"acks":"all","batch.num.messages":1000}},
          "credentials":{"username":"u","password":"p"}})"));
  CHECK(kafka.validate().empty());
}

TEST_CASE("KafkaRestConfig's base_url is derived from bootstrap_servers on the typed path",
          "[spec][typed]") {
  HttpServer sink([](const ServerRequest& r) {
    std::string body;
    for (std::size_t pos = r.body.find("\"headers\""); pos != std::string::npos;
         pos = r.body.find("\"headers\"", pos + 9))
      body += "{\"error_code\":200,\"partition_id\":0,\"offset\":1}\r\n";
    return Action::respond(200, {}, body);
  });
  KafkaRestConfig c;
  c.bootstrap_servers = sink.url("");
  c.cluster_id = "c1";
  c.topic = "orders";
  auto d = make_kafka_rest_destination(c);
  auto report = d->publish_and_wait(Event("orders", R"({"n":1})"));
  CHECK(report.delivered());
}

namespace {

// A program's own credentials source (a vault, an SSO cache): counts its calls.
class CountingProvider : public aws::CredentialsProvider {
 public:
  aws::CredentialsResult get() override {
    ++calls;
    aws::CredentialsResult r;
    r.credentials = aws::Credentials{"AKIDFROMPROVIDER", "provider-secret", "", std::nullopt};
    r.source = "program";
    return r;
  }
  void invalidate() override {}
  std::atomic<int> calls{0};
};

}  // namespace

TEST_CASE("KinesisConfig::credentials_provider signs the requests", "[spec][typed]") {
  std::mutex mutex;
  std::string authorization;
  HttpServer sink([&](const ServerRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      authorization = r.header("authorization");
    }
    return Action::respond(
        200, {},
        R"({"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]})");
  });
  auto provider = std::make_shared<CountingProvider>();
  KinesisConfig c;
  c.stream_name = "orders";
  c.region = "us-east-1";
  c.endpoint = sink.url("");
  c.credentials_provider = provider;
  CHECK(c.validate().empty());
  auto d = make_kinesis_destination(c);
  CHECK(d->publish_and_wait(Event("orders", R"({"n":1})")).delivered());
  CHECK(provider->calls > 0);
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(authorization.find("Credential=AKIDFROMPROVIDER/") != std::string::npos);

  // Static keys and a provider are two answers to one question.
  c.access_key_id = "AK";
  c.secret_access_key = "S";
  CHECK(has(c.validate(), "credentials_provider", "not both"));
}
