// librdkafka's built-in mock cluster (rdkafka_mock.h) as an RAII object: an in-process Kafka
// "cluster" on loopback ports for tests, the demo and the eventdest-mock-kafka tool. It has no
// SASL or TLS listener.
//
// Thread-safety: the cluster runs its own threads; the methods may be called from any thread.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>

namespace eventdest::kafka {

class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  /// "127.0.0.1:port,..." for bootstrap.servers.
  std::string bootstraps() const;
  void create_topic(const std::string& name, int partitions);
  rd_kafka_mock_cluster_t* get() const noexcept { return cluster_; }

 private:
  rd_kafka_t* handle_ = nullptr;  ///< the mock cluster lives inside this instance
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace eventdest::kafka
