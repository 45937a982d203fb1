#include "kafka_rest/emulator/fast_rest_proxy.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <set>
#include <utility>

namespace eventdest::test {
namespace {

constexpr std::size_t kMaxBodyBytes = 64u << 20;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The emulator's own codec (not eventdest's): it checks what the client encodes.
std::string encode_base64(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, in.size() - i);
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 3; ++j)
      v = (v << 8) | (j < n ? static_cast<unsigned char>(in[i + j]) : 0u);
    for (std::size_t j = 0; j < 4; ++j)
      out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

/// Padded standard base64 only: length a multiple of 4, the standard alphabet, at most two '='
/// and only at the end (what Python's binascii.a2b_base64(strict_mode=True) accepts).
bool strict_decode_base64(std::string_view in, std::string& out) {
  static const auto reverse = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
    return t;
  }();
  out.clear();
  if (in.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < in.size() && pad < 2 && in[in.size() - 1 - pad] == '=')
    ++pad;
  out.reserve(in.size() / 4 * 3);
  std::uint32_t bits = 0;
  int have = 0;
  for (std::size_t i = 0; i < in.size() - pad; ++i) {
    const int v = reverse[static_cast<unsigned char>(in[i])];
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out += static_cast<char>((bits >> have) & 0xff);
    }
  }
  return true;  // like strict_mode, leftover bits under the padding are not checked ("Zh==")
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // ASCII runs eight bytes at a time: request bodies are nearly all ASCII.
    std::uint64_t word;
    while (i + 8 <= s.size() &&
           (std::memcpy(&word, s.data() + i, 8), (word & 0x8080808080808080ull) == 0))
      i += 8;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xe  ? 3
                    : (c >> 3) == 0x1e ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

/// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2).
std::uint32_t murmur2(const std::string& data) {
  constexpr std::uint32_t m = 0x5bd1e995;
  const auto length = static_cast<std::uint32_t>(data.size());
  std::uint32_t h = 0x9747b28c ^ length;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  for (std::uint32_t i = 0; i < length / 4; ++i) {
    std::uint32_t k = p[4 * i] | (p[4 * i + 1] << 8) | (p[4 * i + 2] << 16) |
                      (static_cast<std::uint32_t>(p[4 * i + 3]) << 24);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const std::uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= static_cast<std::uint32_t>(p[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(p[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

std::string json_string(std::string_view s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(b.GetString(), b.GetSize());
}

std::string compact(const rapidjson::Value& v) {
  thread_local rapidjson::StringBuffer b;  // keeps its capacity between records
  b.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return std::string(b.GetString(), b.GetSize());
}

std::string error_body(int code, const std::string& message, const std::string& id = {}) {
  std::string out = "{";
  if (!id.empty()) out += "\"id\":" + json_string(id) + ",";
  return out + "\"error_code\":" + std::to_string(code) + ",\"message\":" + json_string(message) +
         "}";
}

Action error(int status, int code, const std::string& message) {
  return Action::respond(status, {{"Content-Type", "application/json"}}, error_body(code, message));
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct RecordError {
  int code;
  std::string message;
};

bool has_only(const rapidjson::Value& obj, std::initializer_list<const char*> allowed,
              std::string& unknown) {
  for (const auto& m : obj.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
      unknown = std::string(name);
      return false;
    }
  }
  return true;
}

// A ProduceRequestData object: (type, bytes), or nothing when absent or null.
void data_bytes(const char* field, const rapidjson::Value* obj, std::string& type,
                std::optional<std::string>& bytes) {
  if (obj == nullptr || obj->IsNull()) return;
  if (!obj->IsObject())
    throw RecordError{400, std::string("Bad Request: ") + field + " must be an object"};
  std::string unknown;
  if (!has_only(*obj,
                {"type", "data", "subject", "subject_name_strategy", "schema_id", "schema_version",
                 "schema"},
                unknown)) {
    throw RecordError{400, "Bad Request: unknown field(s) ['" + unknown + "'] in " + field};
  }
  auto t = obj->FindMember("type");
  if (t == obj->MemberEnd() || !t->value.IsString() ||
      (std::strcmp(t->value.GetString(), "JSON") != 0 &&
       std::strcmp(t->value.GetString(), "STRING") != 0 &&
       std::strcmp(t->value.GetString(), "BINARY") != 0)) {
    throw RecordError{400, std::string("Bad Request: ") + field + ".type is not supported here"};
  }
  type = t->value.GetString();
  auto d = obj->FindMember("data");
  if (d == obj->MemberEnd()) {
    throw RecordError{400, std::string("Bad Request: ") + field + ".data is required"};
  }
  if (type == "STRING") {
    if (!d->value.IsString()) {
      throw RecordError{400, std::string("Bad Request: ") + field + ".data is not a string"};
    }
    bytes.emplace(d->value.GetString(), d->value.GetStringLength());
  } else if (type == "BINARY") {
    std::string raw;
    if (!d->value.IsString() ||
        !strict_decode_base64({d->value.GetString(), d->value.GetStringLength()}, raw)) {
      throw RecordError{400, "Bad Request: data is not a base64 string."};
    }
    bytes = std::move(raw);
  } else {
    bytes = compact(d->value);
  }
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto m = obj.FindMember(name);
  return m == obj.MemberEnd() ? nullptr : &m->value;
}

// Validates one ProduceRequest (everything rest_proxy_emulator.py's State.produce checks except
// the partition range, which needs the topic). Throws RecordError.
FastRestProxy::Stored validate(const rapidjson::Value& record, std::optional<int>& partition) {
  if (!record.IsObject()) throw RecordError{400, "Bad Request: a record must be a JSON object"};
  std::string unknown;
  if (!has_only(record, {"partition_id", "headers", "key", "value", "timestamp", "id"}, unknown)) {
    throw RecordError{400, "Bad Request: unknown field(s) ['" + unknown + "']"};
  }
  FastRestProxy::Stored s;
  data_bytes("key", member(record, "key"), s.key_type, s.key);
  data_bytes("value", member(record, "value"), s.value_type, s.value);
  if (const auto* headers = member(record, "headers"); headers && !headers->IsNull()) {
    if (!headers->IsArray()) throw RecordError{400, "Bad Request: headers must be [{name, value}]"};
    for (const auto& h : headers->GetArray()) {
      if (!h.IsObject() || !member(h, "name") || !member(h, "name")->IsString() ||
          !has_only(h, {"name", "value"}, unknown)) {
        throw RecordError{400, "Bad Request: headers must be [{name, value}]"};
      }
      const std::string name = member(h, "name")->GetString();
      const auto* value = member(h, "value");
      std::optional<std::string> raw;
      if (value && !value->IsNull()) {
        std::string decoded;
        if (!value->IsString() ||
            !strict_decode_base64({value->GetString(), value->GetStringLength()}, decoded)) {
          throw RecordError{
              400, "Bad Request: header '" + name + "' value is not padded standard base64"};
        }
        raw = std::move(decoded);
      }
      s.headers.emplace_back(name, std::move(raw));
    }
  }
  if (const auto* p = member(record, "partition_id"); p && !p->IsNull()) {
    if (!p->IsInt()) throw RecordError{404, "Partition " + compact(*p) + " not found"};
    partition = p->GetInt();
  }
  return s;
}

void append_data_report(std::string& out, const std::string& type,
                        const std::optional<std::string>& bytes) {
  if (!bytes) {
    out += "null";
    return;
  }
  out += "{\"type\":\"";
  out += type;
  out += "\",\"size\":";
  out += std::to_string(bytes->size());
  out += '}';
}

void append_success_report(std::string& out, const std::string& prefix,
                           const FastRestProxy::Stored& s, const std::string& iso) {
  out += '{';
  out += prefix;
  out += "\"partition_id\":";
  out += std::to_string(s.partition);
  out += ",\"offset\":";
  out += std::to_string(s.offset);
  out += ",\"timestamp\":\"";
  out += iso;
  out += "\",\"key\":";
  append_data_report(out, s.key_type, s.key);
  out += ",\"value\":";
  append_data_report(out, s.value_type, s.value);
  out += '}';
}

// One record's validation result, before it is placed under the lock.
struct Pending {
  std::optional<FastRestProxy::Stored> stored;
  std::optional<int> partition;
  RecordError error{0, {}};
  std::string id;  // batch entries
};

// partition_id must name one of the topic's partitions (checked once the topic is known).
void reject_unknown_partition(Pending& p, int partitions, const std::string& topic) {
  if (p.stored && p.partition && (*p.partition < 0 || *p.partition >= partitions)) {
    p.error = {404,
               "Partition " + std::to_string(*p.partition) + " of topic " + topic + " not found"};
    p.stored.reset();
  }
}

Pending validate_pending(const rapidjson::Value& record) {
  Pending p;
  try {
    p.stored = validate(record, p.partition);
  } catch (const RecordError& e) {
    p.error = e;
  }
  return p;
}

}  // namespace

FastRestProxy::FastRestProxy(FastRestProxyOptions options)
    : options_(std::move(options)),
      expected_authorization_(
          options_.api_key.empty()
              ? std::string()
              : "Basic " + encode_base64(options_.api_key + ":" + options_.api_secret)),
      server_([this](const ServerRequest& r) { return handle(r); }) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, partitions] : options_.topics) {
    Topic t;
    t.partitions = std::max(1, partitions);
    t.next_offset.assign(static_cast<std::size_t>(t.partitions), 0);
    topics_[name] = std::move(t);
  }
}

std::string FastRestProxy::url() const {
  return server_.url("");
}

std::size_t FastRestProxy::accepted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accepted_;
}
std::size_t FastRestProxy::rejected() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rejected_;
}
std::size_t FastRestProxy::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

Action FastRestProxy::handle(const ServerRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_;
  }
  if (request.body.size() > kMaxBodyBytes) return error(413, 413, "Request Entity Too Large");
  std::string path = request.target.substr(0, request.target.find('?'));
  // /kafka/v3/clusters/{cluster}/topics/{topic}/records[:batch]
  const std::string prefix = "/kafka/v3/clusters/";
  std::string cluster, topic_name;
  bool batch = false;
  bool matched = false;
  if (request.method == "POST" && path.rfind(prefix, 0) == 0) {
    const std::string rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    const std::string topics = "/topics/";
    if (slash != std::string::npos && rest.compare(slash, topics.size(), topics) == 0) {
      cluster = rest.substr(0, slash);
      const std::string tail = rest.substr(slash + topics.size());
      const auto end = tail.find('/');
      if (end != std::string::npos && end > 0) {
        topic_name = tail.substr(0, end);
        const std::string what = tail.substr(end);
        matched = what == "/records" || what == "/records:batch";
        batch = what == "/records:batch";
      }
    }
  }
  if (!matched || cluster.empty()) return error(404, 404, "Not Found");
  if (!expected_authorization_.empty() &&
      request.header("authorization") != expected_authorization_) {
    return error(401, 40101, "Unauthorized");
  }
  if (cluster != options_.cluster_id) return error(404, 40401, "Cluster " + cluster + " not found");
  Topic* topic = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = topics_.find(topic_name);
    if (it != topics_.end()) topic = &it->second;  // topics_ never changes after construction
  }
  if (!topic) return error(404, 40403, "Topic " + topic_name + " not found");
  std::string content_type = request.header("content-type");
  content_type = content_type.substr(0, content_type.find(';'));
  content_type.erase(std::remove(content_type.begin(), content_type.end(), ' '),
                     content_type.end());
  std::transform(content_type.begin(), content_type.end(), content_type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (content_type != "application/json") {
    return error(
        415, 415,
        "HTTP 415 Unsupported Media Type: " + (content_type.empty() ? "none" : content_type));
  }
  if (!valid_utf8(request.body)) return error(400, 400, "Bad Request: body is not UTF-8");
  return batch ? produce_batch(*topic, topic_name, request.body)
               : produce_stream(*topic, topic_name, request.body);
}

void FastRestProxy::place(Topic& topic, Stored& s, std::optional<int> partition) {
  int p;
  if (partition) {
    p = *partition;
  } else if (s.key) {
    p = static_cast<int>((murmur2(*s.key) & 0x7fffffffu) % static_cast<unsigned>(topic.partitions));
  } else {
    p = static_cast<int>(topic.round_robin++ % static_cast<unsigned>(topic.partitions));
  }
  s.partition = p;
  s.offset = topic.next_offset[static_cast<std::size_t>(p)]++;
}

Action FastRestProxy::produce_stream(Topic& topic, const std::string& name,
                                     const std::string& body) {
  // Concatenated ProduceRequest objects, each parsed into a stack-buffered document and
  // validated outside the lock; placing and storing happen under it, in order.
  std::vector<Pending> pending;
  std::string parse_error;
  rapidjson::StringStream stream(body.c_str());
  const auto at_end = [&] {
    while (stream.Peek() == ' ' || stream.Peek() == '\t' || stream.Peek() == '\r' ||
           stream.Peek() == '\n')
      stream.Take();
    return stream.Tell() >= body.size() || stream.Peek() == '\0';
  };
  while (!at_end()) {
    // Values and the parse stack in stack buffers: no heap allocation per record.
    alignas(8) char buffer[16384];
    alignas(8) char parse_stack[2048];
    rapidjson::MemoryPoolAllocator<> allocator(buffer, sizeof buffer);
    rapidjson::MemoryPoolAllocator<> stack_allocator(parse_stack, sizeof parse_stack);
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                               rapidjson::MemoryPoolAllocator<>>
        doc(&allocator, sizeof parse_stack, &stack_allocator);
    const std::size_t start = stream.Tell();
    doc.ParseStream<rapidjson::kParseStopWhenDoneFlag>(stream);
    if (doc.HasParseError()) {
      parse_error = std::string("Bad Request: ") +
                    rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                    std::to_string(start + doc.GetErrorOffset());
      break;
    }
    pending.push_back(validate_pending(doc));
  }
  if (stream.Tell() < body.size() && parse_error.empty()) {
    parse_error = "Bad Request: unexpected NUL at offset " + std::to_string(stream.Tell());
  }
  const std::string iso = iso_now();
  const std::string where =
      "\"error_code\":200,\"cluster_id\":" + json_string(options_.cluster_id) +
      ",\"topic_name\":" + json_string(name) + ",";
  std::string out;
  out.reserve(pending.size() * 200);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& p : pending) {
      reject_unknown_partition(p, topic.partitions, name);
      if (!p.stored) {
        ++rejected_;
        out += error_body(p.error.code, p.error.message);
      } else {
        p.stored->topic = name;
        place(topic, *p.stored, p.partition);
        append_success_report(out, where, *p.stored, iso);
        store_.push_back(std::move(*p.stored));
        ++accepted_;
      }
      out += "\r\n";
    }
    if (!parse_error.empty()) {
      ++rejected_;
      out += error_body(400, parse_error) + "\r\n";
    }
  }
  std::vector<std::string> parts;
  if (!out.empty()) parts.push_back(std::move(out));
  return Action::chunked(200, {{"Content-Type", "application/json"}}, std::move(parts));
}

Action FastRestProxy::produce_batch(Topic& topic, const std::string& name,
                                    const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    return error(400, 400,
                 std::string("Bad Request: ") + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject() || doc.MemberCount() != 1 || !doc.HasMember("entries") ||
      !doc["entries"].IsArray()) {
    return error(400, 400, "Bad Request: expected {\"entries\": [...]}");
  }
  const auto& entries = doc["entries"];
  if (entries.Size() > options_.max_batch_entries) {
    return error(400, 40002,
                 "Bad Request: too many entries (" + std::to_string(entries.Size()) + " > " +
                     std::to_string(options_.max_batch_entries) + ")");
  }
  std::set<std::string> ids;
  std::vector<Pending> pending;
  for (const auto& e : entries.GetArray()) {
    const auto* id = e.IsObject() ? member(e, "id") : nullptr;
    if (!id || !id->IsString() || id->GetStringLength() < 1 || id->GetStringLength() > 80 ||
        !ids.insert(id->GetString()).second) {
      return error(400, 400, "Bad Request: every entry needs a unique id of 1 to 80 characters");
    }
    pending.push_back(validate_pending(e));
    pending.back().id = id->GetString();
  }
  const std::string iso = iso_now();
  std::string successes, failures;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& p : pending) {
      reject_unknown_partition(p, topic.partitions, name);
      if (!p.stored) {
        ++rejected_;
        failures += (failures.empty() ? "" : ",") + error_body(p.error.code, p.error.message, p.id);
        continue;
      }
      p.stored->topic = name;
      place(topic, *p.stored, p.partition);
      const std::string where = "\"id\":" + json_string(p.id) +
                                ",\"cluster_id\":" + json_string(options_.cluster_id) +
                                ",\"topic_name\":" + json_string(name) + ",";
      if (!successes.empty()) successes += ',';
      append_success_report(successes, where, *p.stored, iso);
      store_.push_back(std::move(*p.stored));
      ++accepted_;
    }
  }
  return Action::respond(207, {{"Content-Type", "application/json"}},
                         "{\"successes\":[" + successes + "],\"failures\":[" + failures + "]}");
}

rapidjson::Document FastRestProxy::records(const std::string& topic) const {
  rapidjson::Document out(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  auto text = [&](const std::optional<std::string>& s) {
    return s ? rapidjson::Value(s->c_str(), static_cast<rapidjson::SizeType>(s->size()), a)
             : rapidjson::Value();
  };
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& s : store_) {
    if (!topic.empty() && s.topic != topic) continue;
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("topic", rapidjson::Value(s.topic.c_str(), a), a);
    r.AddMember("partition", s.partition, a);
    r.AddMember("offset", s.offset, a);
    r.AddMember("key", text(s.key), a);
    rapidjson::Value value;
    if (s.value && s.value_type == "JSON") {
      rapidjson::Document parsed(&a);
      parsed.Parse(s.value->c_str(), s.value->size());
      value.CopyFrom(parsed, a);
    } else {
      value = text(s.value);
    }
    r.AddMember("value", value, a);
    r.AddMember("value_type",
                s.value ? rapidjson::Value(s.value_type.c_str(), a) : rapidjson::Value(), a);
    rapidjson::Value headers(rapidjson::kArrayType);
    for (const auto& [name, v] : s.headers) {
      rapidjson::Value h(rapidjson::kObjectType);
      h.AddMember("name", rapidjson::Value(name.c_str(), a), a);
      h.AddMember("value", text(v), a);
      headers.PushBack(h, a);
    }
    r.AddMember("headers", headers, a);
    out.PushBack(r, a);
  }
  return out;
}

}  // namespace eventdest::test
