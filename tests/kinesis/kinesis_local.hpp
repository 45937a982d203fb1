// kinesis-local (etspaceman/kinesis-mock from npm, installed by scripts/setup.sh into
// tools/peers/node_modules) started for a test binary on free loopback ports, with a TLS
// certificate generated for 127.0.0.1 so the TLS port can be verified with a CA override (the
// package's own server.json certificate names no host). Stopped when the binary exits.
#pragma once

#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/http_client.hpp"
#include "support/subprocess.hpp"
#include "util/base64.hpp"

namespace eventdest::test {

struct KinesisRecordRead {
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
  std::string data;
};

class KinesisLocal {
 public:
  /// The process-wide instance, started on first use with `streams` (INITIALIZE_STREAMS syntax).
  static KinesisLocal& instance() {
    static KinesisLocal local("orders:2,plain:1,tls:1,session:1,single:2,aggregated:4,paced:2");
    return local;
  }

  std::string plain_url() const { return "http://127.0.0.1:" + std::to_string(plain_port_); }
  std::string tls_url() const { return "https://127.0.0.1:" + std::to_string(tls_port_); }
  const std::string& ca_file() const { return ca_file_; }

  /// Calls a Kinesis API action with placeholder auth headers (kinesis-local requires them to be
  /// present but does not verify signatures; our signer is checked by the SigV4 suites).
  std::string call(const std::string& action, const std::string& body) {
    http::Request r;
    r.url = plain_url() + "/";
    r.body = body;
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Kinesis_20131202." + action},
                 {"X-Amz-Date", "20240101T000000Z"},
                 {"Authorization",
                  "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, "
                  "SignedHeaders=host, Signature=0"}};
    auto response = client_.send_sync(std::move(r));
    if (!response.ok() || response.status != 200) {
      throw std::runtime_error(action + " failed: HTTP " + std::to_string(response.status) + " " +
                               response.body + response.error_message);
    }
    return response.body;
  }

  /// Every record of `stream`, shard by shard.
  std::vector<KinesisRecordRead> read_all(const std::string& stream) {
    std::vector<KinesisRecordRead> out;
    rapidjson::Document shards;
    shards.Parse(call("ListShards", R"({"StreamName":")" + stream + R"("})").c_str());
    for (const auto& shard : shards["Shards"].GetArray()) {
      const std::string shard_id = shard["ShardId"].GetString();
      rapidjson::Document it;
      it.Parse(call("GetShardIterator", R"({"StreamName":")" + stream + R"(","ShardId":")" +
                                            shard_id + R"(","ShardIteratorType":"TRIM_HORIZON"})")
                   .c_str());
      rapidjson::Document records;
      records.Parse(call("GetRecords", R"({"ShardIterator":")" +
                                           std::string(it["ShardIterator"].GetString()) +
                                           R"(","Limit":10000})")
                        .c_str());
      for (const auto& r : records["Records"].GetArray()) {
        KinesisRecordRead read;
        read.shard_id = shard_id;
        read.sequence_number = r["SequenceNumber"].GetString();
        read.partition_key = r["PartitionKey"].GetString();
        detail::decode_base64(r["Data"].GetString(), read.data);
        out.push_back(std::move(read));
      }
    }
    return out;
  }

 private:
  explicit KinesisLocal(const std::string& streams) {
    const std::string main_js =
        std::string(EVENTDEST_SOURCE_DIR) + "/tools/peers/node_modules/kinesis-local/main.js";
    if (!std::ifstream(main_js).good()) {
      throw std::runtime_error(main_js +
                               " is missing: run scripts/setup.sh (npm ci in tools/peers)");
    }
    char dir_template[] = "/tmp/eventdest-kinesis-XXXXXX";
    dir_ = mkdtemp(dir_template);
    ca_file_ = dir_ + "/cert.pem";
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir_ +
                            "/key.pem -out " + ca_file_ +
                            " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                            ">/dev/null 2>&1 && " +
                            system_python() +
                            " -c \"import json,sys; d=sys.argv[1]; json.dump({'server':{'key':"
                            "open(d+'/key.pem').read(),'cert':open(d+'/cert.pem').read()}},"
                            "open(d+'/server.json','w'))\" " +
                            dir_;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create a test certificate");
    plain_port_ = free_port();
    tls_port_ = free_port();
    process_ = std::make_unique<Subprocess>(
        std::vector<std::string>{"node", main_js},
        std::map<std::string, std::string>{{"KINESIS_MOCK_PLAIN_PORT", std::to_string(plain_port_)},
                                           {"KINESIS_MOCK_TLS_PORT", std::to_string(tls_port_)},
                                           {"KINESIS_MOCK_CERT_PATH", dir_ + "/server.json"},
                                           {"INITIALIZE_STREAMS", streams},
                                           {"CREATE_STREAM_DURATION", "0ms"},
                                           {"LOG_LEVEL", "WARN"}},
        dir_ + "/kinesis-local.log");
    // Ready when the last initialised stream is ACTIVE.
    const std::string last = streams.substr(streams.rfind(',') + 1);
    const std::string name = last.substr(0, last.find(':'));
    for (int i = 0; i < 300; ++i) {
      try {
        if (call("DescribeStreamSummary", R"({"StreamName":")" + name + R"("})")
                .find("\"ACTIVE\"") != std::string::npos) {
          return;
        }
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("kinesis-local did not become ready; see " + dir_ +
                             "/kinesis-local.log");
  }

  ~KinesisLocal() {
    process_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  std::string dir_;
  std::string ca_file_;
  int plain_port_ = 0;
  int tls_port_ = 0;
  http::Client client_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace eventdest::test
