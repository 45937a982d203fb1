#include "kafka_broker/kafka_cluster.hpp"

#include <librdkafka/rdkafka.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace eventdest::test {
namespace {

constexpr int kSkipped = 77;  // kafka-broker.sh's "no Java or no jars"

struct Result {
  int exit_code;
  std::string output;
};

// Runs a command with stdout and stderr captured; KAFKA_OWNER_PID ties the JVMs to this process.
Result run(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    setenv("KAFKA_OWNER_PID", std::to_string(getppid()).c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
    out.append(chunk, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, out};
}

struct AdminClient {
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  explicit AdminClient(const std::string& bootstrap) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) throw std::runtime_error(std::string("admin client: ") + err);
    queue = rd_kafka_queue_new(rk);
  }
  ~AdminClient() {
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(rk);
  }
  // Waits for the result event of one admin call.
  rd_kafka_event_t* wait(rd_kafka_event_type_t type) const {
    for (int i = 0; i < 600; ++i) {
      rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 100);
      if (ev && rd_kafka_event_type(ev) == type) return ev;
      if (ev) rd_kafka_event_destroy(ev);
    }
    throw std::runtime_error("admin request timed out");
  }
};

}  // namespace

KafkaCluster::KafkaCluster(int nodes) {
  static std::atomic<int> counter{0};
  dir_ = std::string(EVENTDEST_KAFKA_WORK_DIR) + "/kafka-" + std::to_string(getpid()) + "-" +
         std::to_string(counter++);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  const auto started = std::chrono::steady_clock::now();
  const Result r = run({EVENTDEST_KAFKA_BROKER_SCRIPT, "start", dir_, std::to_string(nodes)});
  if (r.exit_code == kSkipped) {
    std::fprintf(stderr, "\n*** SKIPPED: no real Kafka broker can run here ***\n%s\n",
                 r.output.c_str());
    std::exit(kSkipped);
  }
  if (r.exit_code != 0) throw std::runtime_error("kafka-broker.sh start failed:\n" + r.output);
  start_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (line.rfind("KAFKA_", 0) == 0 && eq != std::string::npos)
      env_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

KafkaCluster::~KafkaCluster() {
  run({EVENTDEST_KAFKA_BROKER_SCRIPT, "stop", dir_});
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string KafkaCluster::value(const std::string& name) const {
  auto it = env_.find(name);
  if (it == env_.end()) throw std::runtime_error("kafka-broker.sh gave no " + name);
  return it->second;
}

std::string KafkaCluster::listener(const std::string& kind) const {
  return value("KAFKA_" + kind);
}

std::string KafkaCluster::node_plaintext(int node) const {
  return value("KAFKA_NODE" + std::to_string(node) + "_PLAINTEXT");
}

std::string KafkaCluster::script(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{EVENTDEST_KAFKA_BROKER_SCRIPT};
  argv.insert(argv.end(), args.begin(), args.end());
  const Result r = run(argv);
  if (r.exit_code != 0) throw std::runtime_error("kafka-broker.sh " + args[0] + ":\n" + r.output);
  return r.output;
}

void KafkaCluster::stop_node(int node, bool kill) {
  std::vector<std::string> args{"stop-node", dir_, std::to_string(node)};
  if (kill) args.push_back("--kill");
  script(args);
}

void KafkaCluster::start_node(int node) {
  script({"start-node", dir_, std::to_string(node)});
}

void KafkaCluster::create_topic(const std::string& name, int partitions, int replication,
                                const std::map<std::string, std::string>& configs) {
  if (replication < 0) replication = std::stoi(value("KAFKA_NODES"));
  AdminClient admin(listener("PLAINTEXT"));
  char err[512];
  rd_kafka_NewTopic_t* topic =
      rd_kafka_NewTopic_new(name.c_str(), partitions, replication, err, sizeof err);
  if (!topic) throw std::runtime_error(err);
  for (const auto& [k, v] : configs)
    rd_kafka_NewTopic_set_config(topic, k.c_str(), v.c_str());
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin.rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, 20000, err, sizeof err);
  rd_kafka_CreateTopics(admin.rk, &topic, 1, options, admin.queue);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  std::string problem;
  if (rd_kafka_event_error(ev)) {
    problem = rd_kafka_event_error_string(ev);
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    if (n == 1 && rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
      problem = rd_kafka_topic_result_error_string(results[0]);
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(topic);
  if (!problem.empty()) throw std::runtime_error("create topic " + name + ": " + problem);
  // Produce only once every node knows the topic's leaders.
  for (int i = 0; i < 200; ++i) {
    bool ready = true;
    for (int p = 0; p < partitions && ready; ++p)
      ready = leader(name, p) >= 0;
    if (ready) return;
    usleep(50 * 1000);
  }
  throw std::runtime_error("topic " + name + " has no leaders");
}

void KafkaCluster::allow_write(const std::string& user, const std::string& topic) {
  AdminClient admin(listener("PLAINTEXT"));
  char err[512];
  rd_kafka_AclBinding_t* acls[2];
  const rd_kafka_AclOperation_t operations[2] = {RD_KAFKA_ACL_OPERATION_WRITE,
                                                 RD_KAFKA_ACL_OPERATION_DESCRIBE};
  for (int i = 0; i < 2; ++i) {
    acls[i] =
        rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str(),
                                RD_KAFKA_RESOURCE_PATTERN_LITERAL, ("User:" + user).c_str(), "*",
                                operations[i], RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err);
    if (!acls[i]) throw std::runtime_error(err);
  }
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin.rk, RD_KAFKA_ADMIN_OP_CREATEACLS);
  rd_kafka_CreateAcls(admin.rk, acls, 2, options, admin.queue);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_CREATEACLS_RESULT);
  std::string problem = rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : "";
  size_t n = 0;
  const rd_kafka_acl_result_t** results =
      rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
  for (size_t i = 0; i < n && problem.empty(); ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_acl_result_error(results[i]))
      problem = rd_kafka_error_string(e);
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_AclBinding_destroy_array(acls, 2);
  if (!problem.empty()) throw std::runtime_error("create ACLs on " + topic + ": " + problem);
}

long long KafkaCluster::record_count(const std::string& topic) const {
  AdminClient admin(listener("PLAINTEXT"));
  rd_kafka_topic_t* t = rd_kafka_topic_new(admin.rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  long long total = -1;
  if (rd_kafka_metadata(admin.rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      md->topic_cnt == 1) {
    total = 0;
    for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(admin.rk, topic.c_str(), md->topics[0].partitions[p].id,
                                           &low, &high, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error("watermarks of " + topic);
      total += high - low;
    }
  }
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  return total;
}

int KafkaCluster::leader(const std::string& topic, int partition) const {
  AdminClient admin(listener("PLAINTEXT"));
  rd_kafka_topic_t* t = rd_kafka_topic_new(admin.rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int result = -1;
  if (rd_kafka_metadata(admin.rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& tm = md->topics[i];
      if (tm.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      for (int p = 0; p < tm.partition_cnt; ++p) {
        if (tm.partitions[p].id == partition && tm.partitions[p].err == RD_KAFKA_RESP_ERR_NO_ERROR)
          result = tm.partitions[p].leader;
      }
    }
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(t);
  return result;
}

}  // namespace eventdest::test
