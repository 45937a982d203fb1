#include <algorithm>
#include <cstdlib>
#include <string>

#include "eventdest/kafka_config.hpp"
#include "eventdest/kafka_rest.hpp"
#include "eventdest/kinesis.hpp"
#include "eventdest/spec.hpp"
#include "support/catch.hpp"

using namespace eventdest;

namespace {

const char* kSecret = "TopSecret-9f8e7d";

std::vector<FieldProblem> problems_of(const std::string& json) {
  try {
    parse_spec(json);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

std::string problem_for(const std::string& json, const std::string& field) {
  for (const auto& p : problems_of(json)) {
    if (p.field == field) return p.problem;
  }
  return "<no problem for " + field + ">";
}

std::string kinesis(const std::string& config, const std::string& extra = "") {
  return R"({"type":"aws_kinesis","topics":["orders"],"config":{)" + config + "}" + extra + "}";
}

}  // namespace

TEST_CASE("Outpost-style specs of each type parse", "[spec]") {
  auto k = parse_spec(kinesis(R"("stream_name":"s1","region":"us-east-1")",
                              R"(,"credentials":{"key":"AKID","secret":"sec","session":"tok"})"));
  CHECK(k.type == "aws_kinesis");
  CHECK(k.topics == std::vector<std::string>{"orders"});
  auto kc = KinesisConfig::from_spec(k);
  CHECK(kc.stream_name == "s1");
  CHECK(kc.region == "us-east-1");
  CHECK(kc.session_token == "tok");
  CHECK(kc.metadata_in_payload);
  CHECK(kc.max_batch_records == 500);

  auto kafka =
      parse_spec(R"({"type":"kafka","config":{"brokers":"b1:9092,b2:9092","topic":"events",)"
                 R"("sasl_mechanism":"scram-sha-512","tls":"false","linger_ms":20,)"
                 R"("librdkafka":{"batch.num.messages":1000,"enable.idempotence":true}},)"
                 R"("credentials":{"username":"u","password":"p"}})");
  auto kfc = KafkaConfig::from_spec(kafka);
  CHECK(kfc.sasl_mechanism == KafkaSaslMechanism::scram_sha_512);
  CHECK_FALSE(kfc.tls);
  CHECK(kfc.delivery.linger == std::chrono::milliseconds(20));
  CHECK(kfc.librdkafka.at("batch.num.messages") == "1000");
  CHECK(kfc.librdkafka.at("enable.idempotence") == "true");
  CHECK(kfc.partitioner == "murmur2_random");

  auto rest = parse_spec(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"pkc-1.aws.confluent.cloud:9092",)"
      R"("cluster_id":"lkc-1","topic":"orders"},"credentials":{"api_key":"k","api_secret":"s"}})");
  auto rc = KafkaRestConfig::from_spec(rest);
  CHECK(rc.base_url == "https://pkc-1.aws.confluent.cloud:443");
  CHECK(rc.mode == KafkaRestMode::stream);
  CHECK(rc.api_key == "k");
}

TEST_CASE("config values may be strings or native JSON types", "[spec]") {
  auto a = KinesisConfig::from_spec(parse_spec(kinesis(
      R"("stream_name":"s","region":"eu-west-1","metadata_in_payload":false,"max_batch_records":100)")));
  auto b = KinesisConfig::from_spec(parse_spec(kinesis(
      R"("stream_name":"s","region":"eu-west-1","metadata_in_payload":"false","max_batch_records":"100")")));
  CHECK_FALSE(a.metadata_in_payload);
  CHECK_FALSE(b.metadata_in_payload);
  CHECK(a.max_batch_records == 100);
  CHECK(b.max_batch_records == 100);
}

TEST_CASE("hookstream's kafka body builds a kafka_rest destination", "[spec]") {
  auto spec = parse_spec(
      R"({"name":"my-kafka","type":"kafka","config":{"bootstrap_servers":"http://127.0.0.1:8082",)"
      R"("cluster_id":"c1","topic":"orders","api_key":"key","api_secret":"secret"}})");
  CHECK(spec.type == "kafka_rest");
  CHECK(spec.name == "my-kafka");
  auto c = KafkaRestConfig::from_spec(spec);
  CHECK(c.base_url == "http://127.0.0.1:8082");
  CHECK(c.api_key == "key");
  CHECK(c.api_secret == "secret");
  // A migrating user's consumers keep reading hookstream's headers.
  CHECK(c.record.format == KafkaRecordFormat::hookstream);
  CHECK(c.record.destination_id == "my-kafka");
}

TEST_CASE("record_format: outpost by default, hookstream for hookstream's body", "[spec]") {
  const std::string rest =
      R"({"type":"kafka_rest","id":"des_9","name":"n","config":{"bootstrap_servers":)"
      R"("http://127.0.0.1:8082","cluster_id":"c1","topic":"orders")";
  const std::string native =
      R"({"type":"kafka","name":"k","config":{"brokers":"b:9092","topic":"t","tls":false)";
  CHECK(KafkaRestConfig::from_spec(parse_spec(rest + "}}")).record.format ==
        KafkaRecordFormat::outpost);
  auto hs = KafkaRestConfig::from_spec(parse_spec(rest + R"(,"record_format":"hookstream"}})"));
  CHECK(hs.record.format == KafkaRecordFormat::hookstream);
  CHECK(hs.record.destination_id == "des_9");  // the id before the name
  CHECK(KafkaConfig::from_spec(parse_spec(native + "}}")).record.format ==
        KafkaRecordFormat::outpost);
  auto k = KafkaConfig::from_spec(parse_spec(native + R"(,"record_format":"hookstream"}})"));
  CHECK(k.record.format == KafkaRecordFormat::hookstream);
  CHECK(k.record.destination_id == "k");
  // hookstream's body may still ask for Outpost's headers.
  auto back = KafkaRestConfig::from_spec(parse_spec(
      R"({"name":"h","type":"kafka","config":{"bootstrap_servers":"http://127.0.0.1:8082",)"
      R"("cluster_id":"c1","topic":"orders","record_format":"outpost"}})"));
  CHECK(back.record.format == KafkaRecordFormat::outpost);
  CHECK(problem_for(native + R"(,"record_format":"confluent"}})", "config.record_format") ==
        "must be one of outpost, hookstream");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","record_format":"outpost")"),
                    "config.record_format") == "unknown field");
}

TEST_CASE("topic matching", "[spec]") {
  DestinationSpec s;
  CHECK(s.matches_topic("anything"));
  s.topics = {"*"};
  CHECK(s.matches_topic("anything"));
  s.topics = {"orders", "users"};
  CHECK(s.matches_topic("users"));
  CHECK_FALSE(s.matches_topic("order"));
  CHECK_FALSE(s.matches_topic("Orders"));
  CHECK(parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1")", "").substr(0)).topics ==
        std::vector<std::string>{"orders"});
  CHECK(
      problem_for(
          R"({"type":"aws_kinesis","topics":["*","a"],"config":{"stream_name":"s","region":"us-east-1"}})",
          "topics") == "\"*\" cannot be combined with topic names");
  CHECK(
      problem_for(
          R"({"type":"aws_kinesis","topics":["a",""],"config":{"stream_name":"s","region":"us-east-1"}})",
          "topics[1]") == "must be a non-empty string");
  CHECK(
      problem_for(
          R"({"type":"aws_kinesis","topics":"a","config":{"stream_name":"s","region":"us-east-1"}})",
          "topics") == "must be a list of topic names or [\"*\"]");
}

TEST_CASE("every field rule is reported as field: problem", "[spec]") {
  // Shape.
  CHECK(problem_for("{", "spec").find("not valid JSON") == 0);
  CHECK(problem_for("[]", "spec") == "must be a JSON object");
  CHECK(problem_for(R"({"config":{}})", "type").find("is required") == 0);
  CHECK(problem_for(R"({"type":"webhook","config":{}})", "type") ==
        "must be one of aws_kinesis, kafka_rest, kafka");
  CHECK(problem_for(R"({"type":"kafka"})", "config") == "is required");
  CHECK(problem_for(R"({"type":"kafka","config":[]})", "config") == "must be an object");
  CHECK(problem_for(R"({"type":"kafka","config":{},"bogus":1})", "bogus") == "unknown field");
  CHECK(problem_for(R"({"type":"kafka","config":{},"credentials":{"username":5}})",
                    "credentials.username") == "must be a string");
  CHECK(problem_for(R"({"type":"kafka","config":{"topic":{"a":1}}})", "config.topic") ==
        "must be a string, number or boolean");

  // aws_kinesis.
  CHECK(problem_for(kinesis(R"("region":"us-east-1")"), "config.stream_name").find("is required") ==
        0);
  CHECK(problem_for(kinesis(R"("stream_name":"s")"), "config.region") == "is required");
  CHECK(problem_for(kinesis(R"("stream_name":"bad name!","region":"us-east-1")"),
                    "config.stream_name")
            .find("must be 1 to 128") == 0);
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"US EAST")"), "config.region")
            .find("must be an AWS region") == 0);
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","endpoint":"ftp://x")"),
                    "config.endpoint") == "must be an http:// or https:// URL");
  CHECK(problem_for(kinesis(R"("stream_arn":"arn:aws:kinesis:us-east-1:123:stream/s")"),
                    "config.stream_arn")
            .find("must look like") == 0);
  CHECK(
      problem_for(
          kinesis(
              R"("stream_arn":"arn:aws:kinesis:us-east-1:123456789012:stream/s","stream_name":"t")"),
          "config.stream_name") == "does not match the stream name in stream_arn");
  CHECK(problem_for(
            kinesis(R"("stream_name":"s","region":"us-east-1","metadata_in_payload":"maybe")"),
            "config.metadata_in_payload") == "must be true or false");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","max_batch_records":501)"),
                    "config.max_batch_records") == "must be between 1 and 500");
  CHECK(
      problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","max_record_bytes":20000000)"),
                  "config.max_record_bytes") == "must be between 1 and 10485760");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","steam":"x")"),
                    "config.steam") == "unknown field");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1")",
                            R"(,"credentials":{"key":"AKID"})"),
                    "credentials.secret") == "is required when credentials.key is given");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1")",
                            R"(,"credentials":{"key":"a","secret":"b","token":"c"})"),
                    "credentials.token") == "unknown field");
  auto arn = KinesisConfig::from_spec(parse_spec(
      kinesis(R"("stream_arn":"arn:aws:kinesis:eu-west-2:123456789012:stream/orders")")));
  CHECK(arn.stream_name == "orders");
  CHECK(arn.region == "eu-west-2");

  // kafka.
  const std::string kafka_base = R"({"type":"kafka","config":{"brokers":"b:9092","topic":"t",)";
  CHECK(problem_for(kafka_base + R"("sasl_mechanism":"gssapi"}})", "config.sasl_mechanism") ==
        "must be one of plain, scram-sha-256, scram-sha-512, none");
  CHECK(problem_for(kafka_base + R"("sasl_mechanism":"plain"}})", "credentials.username") ==
        "is required with sasl_mechanism plain");
  CHECK(problem_for(kafka_base + R"("sasl_mechanism":"none"},"credentials":{"username":"u"}})",
                    "credentials.username") == "is given but sasl_mechanism is none");
  CHECK(problem_for(kafka_base + R"("tls":"maybe"}})", "config.tls") == "must be true or false");
  CHECK(problem_for(kafka_base + R"("partitioner":"sticky"}})", "config.partitioner")
            .find("must be one of murmur2_random") == 0);
  CHECK(problem_for(kafka_base + R"("compression":"brotli"}})", "config.compression")
            .find("must be one of none") == 0);
  CHECK(problem_for(kafka_base + R"("client_cert_pem":"x"}})", "config.client_key_pem") ==
        "client certificate and key must be given together");
  CHECK(problem_for(kafka_base + R"("tls":false,"ca_location":"/x"}})", "config.tls")
            .find("is false but TLS settings") == 0);
  CHECK(problem_for(kafka_base + R"("librdkafka":"[1]"}})", "config.librdkafka") ==
        "must be an object of librdkafka properties");
  CHECK(problem_for(R"({"type":"kafka","config":{"brokers":"no-port","topic":"t"}})",
                    "config.brokers")
            .find("must be a comma-separated list of host:port") == 0);
  CHECK(problem_for(R"({"type":"kafka","config":{"topic":"t"}})", "config.brokers") ==
        "is required");
  CHECK(problem_for(R"({"type":"kafka","config":{"brokers":"b:1","topic":"a b"}})", "config.topic")
            .find("must be 1 to 249") == 0);

  // kafka_rest.
  CHECK(problem_for(R"({"type":"kafka_rest","config":{"cluster_id":"c","topic":"t"}})",
                    "config.bootstrap_servers") == "is required");
  CHECK(problem_for(R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","topic":"t"}})",
                    "config.cluster_id") == "is required");
  CHECK(
      problem_for(R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c"}})",
                  "config.topic") == "is required");
  CHECK(
      problem_for(
          R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c","topic":"t","mode":"fast"}})",
          "config.mode") == "must be one of single, stream, batch");
  CHECK(
      problem_for(
          R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c","topic":"t","api_key":"k"}})",
          "credentials.api_secret") == "is required when credentials.api_key is given");
  CHECK(
      problem_for(
          R"({"type":"kafka_rest","config":{"bootstrap_servers":"a b","cluster_id":"c","topic":"t"}})",
          "config.bootstrap_servers")
          .find("must be host:port or a URL") == 0);

  // Options every type takes.
  const std::string k = R"("stream_name":"s","region":"us-east-1",)";
  CHECK(problem_for(kinesis(k + R"("delivery_timeout_ms":-1)"), "config.delivery_timeout_ms") ==
        "must be between 1 and 86400000");
  CHECK(problem_for(kinesis(k + R"("delivery_timeout_ms":"soon")"), "config.delivery_timeout_ms") ==
        "must be an integer");
  CHECK(problem_for(kinesis(k + R"("on_queue_full":"drop")"), "config.on_queue_full") ==
        "must be one of block, fail");
  CHECK(problem_for(kinesis(k + R"("timestamp_format":"iso")"), "config.timestamp_format")
            .find("must be one of") == 0);
  CHECK(problem_for(kinesis(k + R"("retry_backoff_ms":500,"retry_backoff_max_ms":100)"),
                    "config.retry_backoff_max_ms") == "must not be less than retry_backoff_ms");
  CHECK(problem_for(kinesis(k + R"("ca_file":"/nonexistent/ca.pem")"), "config.ca_file") ==
        "cannot read /nonexistent/ca.pem");
  CHECK(problem_for(kinesis(k + R"("max_buffered_bytes":10)"), "config.max_buffered_bytes")
            .find("must be between 1024") == 0);
}

TEST_CASE("a bad partition key template is a config error with its position", "[spec]") {
  auto problem = problem_for(
      kinesis(R"("stream_name":"s","region":"us-east-1","partition_key_template":"data.[")"),
      "config.partition_key_template");
  CHECK(problem.find("invalid JMESPath at position") == 0);
  CHECK(problem.find("data.[") != std::string::npos);  // the caret line shows the expression
  CHECK(
      problem_for(
          kinesis(
              R"x("stream_name":"s","region":"us-east-1","partition_key_template":"nope(data)")x"),
          "config.partition_key_template")
          .find("invalid JMESPath") == 0);
}

TEST_CASE("all problems are reported at once", "[spec]") {
  auto ps = problems_of(
      R"({"type":"kafka","topics":[1],"config":{"topic":"bad topic","sasl_mechanism":"x",)"
      R"("tls":"perhaps","extra":1}})");
  CHECK(ps.size() >= 5);
  try {
    parse_spec(R"({"type":"kafka","config":{"sasl_mechanism":"x"}})");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("config.brokers: is required") != std::string::npos);
    CHECK(what.find("config.topic: is required") != std::string::npos);
    CHECK(what.find(
              "config.sasl_mechanism: must be one of plain, scram-sha-256, scram-sha-512, none") !=
          std::string::npos);
  }
}

TEST_CASE("secrets never appear in messages or to_string", "[spec][secrets]") {
  const std::string s = kSecret;
  const std::vector<std::string> specs = {
      // Secret in the right place, other fields wrong.
      kinesis(R"("region":"nowhere land")", R"(,"credentials":{"key":")" + s + R"(","secret":")" +
                                                s + R"(","session":")" + s + R"("})"),
      // Secrets under unknown keys and with wrong types.
      kinesis(R"("stream_name":"s","region":"us-east-1")",
              R"(,"credentials":{"secret_key":")" + s + R"("})"),
      R"({"type":"kafka","config":{"brokers":"x","topic":"t","librdkafka":{"sasl.password":")" + s +
          R"(","bad":[1]}},"credentials":{"password":")" + s + R"("}})",
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","api_secret":")" + s + R"("}})",
      R"({"type":"kafka","config":{"brokers":"b:1","topic":"t","sasl_mechanism":"none"},"credentials":{"username":")" +
          s + R"(","password":")" + s + R"("}})",
      // Broken JSON around a secret.
      R"({"type":"kafka","credentials":{"password":")" + s + R"("},)",
  };
  for (const auto& json : specs) {
    try {
      parse_spec(json);
      FAIL("expected ConfigError for " + std::to_string(&json - specs.data()));
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find(s) == std::string::npos);
      for (const auto& p : e.problems()) {
        CHECK(p.field.find(s) == std::string::npos);
        CHECK(p.problem.find(s) == std::string::npos);
      }
    }
  }
  auto spec = parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1")",
                                 R"(,"credentials":{"key":"AK","secret":")" + s + R"("})"));
  CHECK(spec.to_string().find(s) == std::string::npos);
  CHECK(spec.to_string().find("<redacted>") != std::string::npos);
  auto kafka = parse_spec(R"({"type":"kafka","config":{"brokers":"b:1","topic":"t",)"
                          R"("librdkafka":{"sasl.password":")" +
                          s +
                          R"("}},)"
                          R"("credentials":{"username":"u","password":")" +
                          s + R"("}})");
  CHECK(kafka.to_string().find(s) == std::string::npos);
}

TEST_CASE("metadata_in_payload defaults from the environment", "[spec]") {
  const auto spec = parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1")"));
  ::setenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "false", 1);
  CHECK_FALSE(KinesisConfig::from_spec(spec).metadata_in_payload);
  auto explicit_true =
      parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1","metadata_in_payload":true)"));
  CHECK(KinesisConfig::from_spec(explicit_true).metadata_in_payload);
  ::setenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "sometimes", 1);
  CHECK_THROWS_AS(KinesisConfig::from_spec(spec), ConfigError);
  ::unsetenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD");
  CHECK(KinesisConfig::from_spec(spec).metadata_in_payload);
}

TEST_CASE("the kafka type needs the adapter to be linked", "[spec]") {
  // This test binary does not link eventdest::kafka.
  try {
    make_destination(R"({"type":"kafka","config":{"brokers":"b:1","topic":"t"}})");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("native Kafka adapter is not linked") != std::string::npos);
  }
}

TEST_CASE("path segments and base URLs that could redirect requests are refused", "[spec]") {
  auto rest = [](const std::string& bootstrap, const std::string& cluster) {
    return R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + bootstrap +
           R"(","cluster_id":")" + cluster + R"(","topic":"orders"}})";
  };
  // A cluster id that names another topic, climbs out of the path or starts a query.
  for (const char* cluster : {"c1/topics/other/records?", "../../../admin", "c1?x=1", "c1#f", "..",
                              "c 1", "c\\t1", "c\\r\\n1", "c%2F1"}) {
    INFO(cluster);
    CHECK(problem_for(rest("http://127.0.0.1:8082", cluster), "config.cluster_id") ==
          "must be 1 to 64 letters, digits, '_' or '-'");
  }
  // Real ids: Kafka's base64url cluster ids and Confluent Cloud's.
  for (const char* cluster : {"lkc-abc123", "MkU3OEVBNTcwNTJENDM2Qg", "1Rh_4htxSuen7RYGvGmgNw"}) {
    INFO(cluster);
    CHECK(problems_of(rest("http://127.0.0.1:8082", cluster)).empty());
  }
  // A query or fragment in the base URL would swallow the REST path.
  CHECK(problem_for(rest("http://127.0.0.1:8082/?x=", "c1"), "config.bootstrap_servers")
            .find("must not have a query (?) or fragment (#)") == 0);
  CHECK(problem_for(rest("http://127.0.0.1:8082#x", "c1"), "config.bootstrap_servers")
            .find("must not have a query (?) or fragment (#)") == 0);
  CHECK(problem_for(rest("http://u:p@127.0.0.1:8082", "c1"), "config.bootstrap_servers")
            .find("must not contain user:password@") == 0);
  CHECK(problem_for(rest("http://127.0.0.1:8082/a/../b", "c1"), "config.bootstrap_servers") ==
        "must not contain . or .. path segments");
  CHECK(problems_of(rest("https://pkc-1.eu-west-1.aws.confluent.cloud:443/rest/", "c1")).empty());
  CHECK(KafkaRestConfig::from_spec(parse_spec(rest("http://[::1]:8082/kafka-rest/", "c1")))
            .base_url == "http://[::1]:8082/kafka-rest");

  // Whitespace and control characters in an endpoint path (every request would fail as a
  // network_error until delivery_timeout_ms).
  const std::string k = R"("stream_name":"s","region":"us-east-1","endpoint":)";
  for (const char* endpoint :
       {"http://h:1/a b", "http://h:1/a\\tb", "http://h:1/a\\r\\nb", "http://h:1/a\\u001bb"}) {
    INFO(endpoint);
    CHECK(problem_for(kinesis(k + "\"" + endpoint + "\""), "config.endpoint")
              .find("has a character that is not allowed in a URL path") == 0);
  }
  CHECK(problem_for(kinesis(k + R"("http://h:1/?Action=x")"), "config.endpoint")
            .find("must not have a query") == 0);
  CHECK(problem_for(kinesis(k + R"("http://h:99999")"), "config.endpoint") ==
        "must be an http:// or https:// URL");
  CHECK(KinesisConfig::from_spec(parse_spec(kinesis(k + R"("http://localhost:4566/")"))).endpoint ==
        "http://localhost:4566");
}

TEST_CASE("kafka brokers take librdkafka's protocols only", "[spec]") {
  auto brokers = [](const std::string& list) {
    return problem_for(
        R"({"type":"kafka","config":{"brokers":")" + list + R"(","topic":"t","tls":false}})",
        "config.brokers");
  };
  for (const char* bad : {"http://h:9092", "gopher://h:9092", "h:9092,https://h2:9092", "h:9092\\t",
                          "h:9092\\r\\n,h2:9092"}) {
    INFO(bad);
    CHECK(brokers(bad).find("must be a comma-separated list of host:port") == 0);
  }
  for (const char* good :
       {"h:9092", "h:9092, h2:9092", "PLAINTEXT://h:9092", "sasl_ssl://h:9092", "[::1]:9092"}) {
    INFO(good);
    CHECK(brokers(good) == "<no problem for config.brokers>");
  }
}

TEST_CASE("text fields refuse JSON numbers and booleans; other fields keep taking them", "[spec]") {
  auto ps = problems_of(kinesis(R"("stream_name":5,"region":true)"));
  CHECK(std::count(ps.begin(), ps.end(), FieldProblem{"config.region", "must be a string"}) == 1);
  CHECK(std::count(ps.begin(), ps.end(), FieldProblem{"config.stream_name", "must be a string"}) ==
        1);
  CHECK(ps.size() == 2);  // nothing more about either field (no "is required", no region format)
  CHECK(problem_for(R"({"type":"kafka","config":{"brokers":"b:1","topic":5,"tls":false}})",
                    "config.topic") == "must be a string");
  CHECK(problem_for(R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":1,)"
                    R"("topic":"t"}})",
                    "config.cluster_id") == "must be a string");
  CHECK(problem_for(R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c",)"
                    R"("topic":"t","api_key":12,"api_secret":"s"}})",
                    "config.api_key") == "must be a string");
  CHECK(problem_for(R"({"type":"kafka_rest","config":{"bootstrap_servers":"h:1","cluster_id":"c",)"
                    R"("topic":"t","api_key":12,"api_secret":"s"}})",
                    "credentials.api_key") == "<no problem for credentials.api_key>");
  // Booleans and numbers where they belong are unchanged.
  CHECK(problems_of(R"({"type":"kafka","config":{"brokers":"b:1","topic":"t","tls":false,)"
                    R"("linger_ms":5,"delivery_timeout_ms":"3000"}})")
            .empty());
}

TEST_CASE("control characters in keys and names are escaped in messages", "[spec]") {
  try {
    parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1","\u001b[31mred":"x",)"
                       R"("a\nconfig.region":"y","ca_file":"/no/\u001b[2J")",
                       R"(,"\u009b31m":1)"));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find('\x1b') == std::string::npos);
    CHECK(what.find("\xc2\x9b") == std::string::npos);
    CHECK(what.find("config.\\x1b[31mred: unknown field") != std::string::npos);
    CHECK(what.find("config.a\\nconfig.region: unknown field") != std::string::npos);
    CHECK(what.find("config.ca_file: cannot read /no/\\x1b[2J") != std::string::npos);
    CHECK(what.find("\\xc2\\x9b31m: unknown field") != std::string::npos);
    // One line per problem, none forged by a key.
    CHECK(std::count(what.begin(), what.end(), '\n') == 4);
  }
  // A JMESPath error keeps its caret line.
  auto problem = problem_for(
      kinesis(R"("stream_name":"s","region":"us-east-1","partition_key_template":"data.[")"),
      "config.partition_key_template");
  CHECK(problem.find("\n") != std::string::npos);
}

namespace {

// A destination as Outpost's API exports it (GET /tenants/{id}/destinations/{id}).
std::string outpost_export(const std::string& id, const std::string& disabled_at) {
  return R"({"id":")" + id +
         R"(","tenant_id":"t_1","type":"aws_kinesis","topics":["orders"],)"
         R"("config":{"stream_name":"s1","region":"us-east-1","metadata_in_payload":"true"},)"
         R"("credentials":{"key":"AKID","secret":"sec"},)"
         R"("created_at":"2024-05-01T10:00:00.123Z","updated_at":"2024-05-02T10:00:00Z",)"
         R"("disabled_at":)" +
         disabled_at +
         R"(,"target":"s1","target_url":"https://console.aws.amazon.com/kinesis/home",)"
         R"("metadata":{"team":"payments"},"delivery_metadata":{"env":"prod"},)"
         R"("filter":{"data":{"amount":{"$gt":10}}}})";
}

}  // namespace

TEST_CASE("Outpost's exported destination bodies are accepted as is", "[spec][outpost]") {
  auto enabled = parse_spec(outpost_export("des_1", "null"));
  CHECK(enabled.id == "des_1");
  CHECK(enabled.disabled_at.empty());
  CHECK(enabled.delivery_metadata == Metadata{{"env", "prod"}});
  CHECK(enabled.filter.has_value());
  CHECK(KinesisConfig::from_spec(enabled).delivery.disabled_at.empty());

  auto disabled = parse_spec(outpost_export("des_2", R"("2024-06-01T00:00:00Z")"));
  CHECK(disabled.disabled_at == "2024-06-01T00:00:00Z");
  CHECK(KinesisConfig::from_spec(disabled).delivery.disabled_at == "2024-06-01T00:00:00Z");
  CHECK(disabled.to_string().find("\"disabled_at\":\"2024-06-01T00:00:00Z\"") != std::string::npos);

  CHECK(problem_for(outpost_export("d", R"("yesterday")"), "disabled_at") ==
        "must be an RFC 3339 time or null");
  CHECK(problem_for(outpost_export("d", "true"), "disabled_at") ==
        "must be an RFC 3339 time or null");
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1")", R"(,"updated_at":5)"),
                    "updated_at") == "must be a string or null");
}

TEST_CASE("parse_specs reads Outpost's list response and single bodies", "[spec][outpost]") {
  auto list = parse_specs("[" + outpost_export("des_1", "null") + "," +
                          outpost_export("des_2", R"("2024-06-01T00:00:00Z")") + "]");
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == "des_1");
  CHECK(list[1].id == "des_2");
  CHECK(list[1].disabled_at == "2024-06-01T00:00:00Z");

  auto one = parse_specs(outpost_export("des_3", "null"));
  REQUIRE(one.size() == 1);
  CHECK(one[0].id == "des_3");

  // Every problem of every body, each naming its body's index.
  try {
    parse_specs("[" + outpost_export("ok", "null") +
                R"(,{"type":"kafka","config":{"topic":"t"}},{"type":"nope","config":{}}])");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    std::vector<std::string> fields;
    for (const auto& p : e.problems())
      fields.push_back(p.field);
    CHECK(std::count(fields.begin(), fields.end(), "[1].config.brokers") == 1);
    CHECK(std::count(fields.begin(), fields.end(), "[2].type") == 1);
    CHECK(std::none_of(fields.begin(), fields.end(),
                       [](const std::string& f) { return f.rfind("[0]", 0) == 0; }));
  }
  CHECK_THROWS_AS(parse_specs("[]"), ConfigError);
}

TEST_CASE("booleans read as Go's strconv.ParseBool, plus on/off/yes/no", "[spec][outpost]") {
  auto tls = [](const std::string& value) {
    return R"({"type":"kafka","config":{"brokers":"b:9092","topic":"t","tls":)" + value + "}}";
  };
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True", "on", "ON", "yes", "Yes"}) {
    INFO(yes);
    CHECK(KafkaConfig::from_spec(parse_spec(tls("\"" + std::string(yes) + "\""))).tls);
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False", "off", "Off", "no", "NO"}) {
    INFO(no);
    CHECK_FALSE(KafkaConfig::from_spec(parse_spec(tls("\"" + std::string(no) + "\""))).tls);
  }
  CHECK_FALSE(KafkaConfig::from_spec(parse_spec(tls("false"))).tls);
  CHECK_FALSE(KafkaConfig::from_spec(parse_spec(tls("0"))).tls);
  for (const char* bad : {"tRuE", "y", "2", "enabled", " true"}) {
    INFO(bad);
    CHECK(problem_for(tls("\"" + std::string(bad) + "\""), "config.tls") ==
          "must be true or false");
  }
  auto mip = [](const std::string& v) {
    return kinesis(R"("stream_name":"s","region":"us-east-1","metadata_in_payload":")" + v + "\"");
  };
  CHECK_FALSE(KinesisConfig::from_spec(parse_spec(mip("off"))).metadata_in_payload);
  CHECK(KinesisConfig::from_spec(parse_spec(mip("T"))).metadata_in_payload);
  CHECK(problem_for(mip("nope"), "config.metadata_in_payload") == "must be true or false");

  auto spec = parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1")"));
  ::setenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "F", 1);
  CHECK_FALSE(KinesisConfig::from_spec(spec).metadata_in_payload);
  ::setenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "no", 1);
  CHECK_FALSE(KinesisConfig::from_spec(spec).metadata_in_payload);
  ::setenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "tRUE", 1);
  CHECK_THROWS_AS(KinesisConfig::from_spec(spec), ConfigError);
  ::unsetenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD");
}

TEST_CASE("host names with '_' in brokers, endpoint and bootstrap_servers", "[spec][outpost]") {
  auto k = KafkaConfig::from_spec(parse_spec(
      R"({"type":"kafka","config":{"brokers":"kafka_1.internal:9092,sasl_ssl://kafka_2:9093",)"
      R"("topic":"t","tls":false}})"));
  CHECK(k.brokers == "kafka_1.internal:9092,sasl_ssl://kafka_2:9093");
  auto kin = KinesisConfig::from_spec(parse_spec(
      kinesis(R"("stream_name":"s","region":"us-east-1","endpoint":"http://kinesis_mock:4567")")));
  CHECK(kin.endpoint == "http://kinesis_mock:4567");
  auto rest = [](const std::string& bootstrap) {
    return R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + bootstrap +
           R"(","cluster_id":"c1","topic":"orders"}})";
  };
  CHECK(KafkaRestConfig::from_spec(parse_spec(rest("rest_proxy.internal:9092"))).base_url ==
        "https://rest_proxy.internal:443");
  CHECK(KafkaRestConfig::from_spec(parse_spec(rest("http://rest_proxy:8082"))).base_url ==
        "http://rest_proxy:8082");
  // '_' belongs in host labels, not in ports or schemes.
  CHECK(problem_for(rest("rest_proxy:80_82"), "config.bootstrap_servers") !=
        "<no problem for config.bootstrap_servers>");
  CHECK(problem_for(R"({"type":"kafka","config":{"brokers":"kafka_1:90_92","topic":"t"}})",
                    "config.brokers") != "<no problem for config.brokers>");
  CHECK(problem_for(R"({"type":"kafka","config":{"brokers":"sasl_ss_l://k:9092","topic":"t"}})",
                    "config.brokers") != "<no problem for config.brokers>");
}

TEST_CASE("timestamp_format rfc3339_ms and Outpost's timestamp-ms option", "[spec][outpost]") {
  auto opts = [](const std::string& config) {
    return KinesisConfig::from_spec(
               parse_spec(kinesis(R"("stream_name":"s","region":"us-east-1")" + config)))
        .delivery;
  };
  CHECK(opts("").timestamp_format == TimestampFormat::unix_seconds);
  CHECK(opts(R"(,"timestamp_format":"rfc3339")").timestamp_format == TimestampFormat::rfc3339);
  CHECK(opts(R"(,"timestamp_format":"rfc3339_ms")").timestamp_format ==
        TimestampFormat::rfc3339_ms);
  CHECK_FALSE(opts("").timestamp_ms);
  CHECK(opts(R"(,"include_millisecond_timestamp":true)").timestamp_ms);
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1","timestamp_format":"iso")"),
                    "config.timestamp_format") ==
        "must be one of unix, unix_seconds, unix_ms, rfc3339, rfc3339_ms");
  ::setenv("DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP", "true", 1);
  CHECK(opts("").timestamp_ms);
  CHECK_FALSE(opts(R"(,"include_millisecond_timestamp":"off")").timestamp_ms);  // config wins
  ::setenv("DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP", "maybe", 1);
  CHECK(problem_for(kinesis(R"("stream_name":"s","region":"us-east-1")"),
                    "DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP") == "must be true or false");
  ::unsetenv("DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP");
  CHECK(delivery_options_of(
            parse_spec(kinesis(
                R"("stream_name":"s","region":"us-east-1","include_millisecond_timestamp":"yes")")))
            .timestamp_ms);
}

TEST_CASE("a Kinesis key without its secret is one problem, reported once", "[spec]") {
  try {
    parse_spec(R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1"},)"
               R"("credentials":{"key":"AKIAEXAMPLE"}})");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].field == "credentials.secret");
  }
}
