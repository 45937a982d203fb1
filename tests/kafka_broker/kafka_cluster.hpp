// A real Apache Kafka (KRaft) for a test program: started with scripts/kafka-broker.sh (one node
// or three) in a folder of its own, stopped and removed by the destructor. Every JVM also dies
// with the test program (the script's watchdog), so a crashed test leaves no broker behind.
// Topics and ACLs are made with librdkafka's admin API over the PLAINTEXT listener, whose
// ANONYMOUS user is the cluster's super user.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace eventdest::test {

class KafkaCluster {
 public:
  /// Starts `nodes` (1 or 3). Without Java or Kafka's jars it prints why and ends the test
  /// program with exit code 77, which ctest reports as skipped.
  explicit KafkaCluster(int nodes = 1);
  ~KafkaCluster();
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  /// Comma-separated host:port list of one listener kind on every node: "PLAINTEXT",
  /// "SASL_PLAINTEXT", "SSL", "SASL_SSL", "MTLS" (client certificate required), "WRONGHOST"
  /// (a certificate for another host).
  std::string listener(const std::string& kind) const;
  std::string node_plaintext(int node) const;
  std::string ca() const { return value("KAFKA_CA"); }
  std::string client_cert() const { return value("KAFKA_CLIENT_CERT"); }
  std::string client_key() const { return value("KAFKA_CLIENT_KEY"); }
  const std::string& dir() const { return dir_; }
  /// Seconds from start to every node ready.
  double start_seconds() const { return start_seconds_; }

  /// `replication` -1: the cluster's size.
  void create_topic(const std::string& name, int partitions, int replication = -1,
                    const std::map<std::string, std::string>& configs = {});
  /// Gives `user` WRITE and DESCRIBE on `topic`; any other user is then denied it.
  void allow_write(const std::string& user, const std::string& topic);
  /// How many records `topic` holds (the partitions' end minus start offsets).
  long long record_count(const std::string& topic) const;
  /// The node id leading `topic`'s partition, -1 when none does.
  int leader(const std::string& topic, int partition) const;

  /// SIGTERM (clean shutdown) or SIGKILL.
  void stop_node(int node, bool kill);
  /// Starts a stopped node again on its data; returns when it is ready.
  void start_node(int node);

 private:
  std::string script(const std::vector<std::string>& args) const;
  std::string value(const std::string& name) const;

  std::string dir_;
  std::map<std::string, std::string> env_;
  double start_seconds_ = 0;
};

}  // namespace eventdest::test
