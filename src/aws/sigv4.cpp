#include "eventdest/aws/sigv4.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <mutex>

namespace eventdest::aws {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

// SHA-256 fetched once: OpenSSL 3 otherwise looks the algorithm up (locks, name compares) on
// every one-shot EVP_Digest()/HMAC() call, which cost more than the hashing of a signature.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

// SHA-256 of the concatenation of `parts`, with a per-thread reused context.
void sha256(std::initializer_list<std::string_view> parts, unsigned char out[32]) {
  thread_local DigestContext c;
  EVP_DigestInit_ex(c.ctx, sha256_md(), nullptr);
  for (auto p : parts)
    EVP_DigestUpdate(c.ctx, p.data(), p.size());
  EVP_DigestFinal_ex(c.ctx, out, nullptr);
}

// HMAC-SHA256 (RFC 2104) on the reused digest context, into `out` (no allocation).
void hmac(std::string_view key, std::string_view data, unsigned char out[32]) {
  unsigned char k[64] = {0};
  if (key.size() > sizeof k) {
    sha256({key}, k);
  } else {
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char ipad[64], opad[64];
  for (int i = 0; i < 64; ++i) {
    ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  }
  unsigned char inner[32];
  sha256({std::string_view(reinterpret_cast<char*>(ipad), 64), data}, inner);
  sha256({std::string_view(reinterpret_cast<char*>(opad), 64),
          std::string_view(reinterpret_cast<char*>(inner), 32)},
         out);
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

std::string_view as_view(const unsigned char (&bytes)[32]) {
  return {reinterpret_cast<const char*>(bytes), 32};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Header values: trimmed, runs of whitespace collapsed to one space; appended to `out`.
void append_canonical_value(std::string& out, std::string_view v) {
  const std::size_t start = out.size();
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = out.size() > start;
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
}

// RFC 3986 remove_dot_segments plus collapsing duplicate slashes; keeps a trailing slash.
std::string normalize(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (auto s : segments) {
    out += '/';
    out += s;
  }
  const bool trailing =
      !path.empty() && (path.back() == '/' ||
                        path.substr(path.size() - std::min<std::size_t>(2, path.size())) == "/." ||
                        path.substr(path.size() - std::min<std::size_t>(3, path.size())) == "/..");
  if (out.empty() || (trailing && out.back() != '/')) out += '/';
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point now) {
  // Formatting the date costs as much as a hash: keep the last second's text per thread.
  thread_local std::time_t last = -1;
  thread_local std::string text;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  if (t != last) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[17];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    text = buf;
    last = t;
  }
  return text;
}

std::string canonical_query(Parameters params) {
  for (auto& [k, v] : params) {
    k = uri_encode(k, false);
    v = uri_encode(v, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[32];
  sha256({data}, md);
  return hex(md, sizeof md);
}

// The signing key depends on the secret, the day, the region and the service only: derived
// once per day instead of four HMACs per request.
struct Signer::KeyCache {
  std::mutex mutex;
  std::string secret, date, region, service;
  unsigned char key[32] = {0};
  ~KeyCache() { OPENSSL_cleanse(key, sizeof key); }
};

Signer::Signer() : cache_(std::make_unique<KeyCache>()) {}
Signer::~Signer() = default;

// The hot path of every request: strings are built by appending into reserved buffers and the
// digests stay in fixed arrays, because allocations cost more here than the hashing.
SigningResult Signer::sign(const SigningRequest& request, const Credentials& credentials,
                           std::chrono::system_clock::time_point now,
                           const SigningOptions& options) const {
  SigningResult result;
  const bool presign = options.presign_expires.count() > 0;
  const std::string date_time = amz_date(now);
  const std::string_view date = std::string_view(date_time).substr(0, 8);
  std::string scope;
  scope.reserve(date.size() + options.region.size() + options.service.size() + 16);
  scope.append(date).append(1, '/').append(options.region).append(1, '/');
  scope.append(options.service).append("/aws4_request");
  std::string computed_hash;
  if (request.payload_hash.empty()) computed_hash = sha256_hex(request.payload);
  const std::string& payload_hash =
      request.payload_hash.empty() ? computed_hash : request.payload_hash;

  // Headers: lowercase names, canonical values, repeated names joined with ',' in order.
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size() + 3);
  auto add_header = [&](std::string name, std::string_view value) {
    for (auto& h : headers) {
      if (h.first == name) {
        h.second += ',';
        append_canonical_value(h.second, value);
        return;
      }
    }
    headers.emplace_back(std::move(name), std::string());
    headers.back().second.reserve(value.size());
    append_canonical_value(headers.back().second, value);
  };
  bool has_date = false;
  for (const auto& [name, value] : request.headers) {
    std::string n = lower(name);
    if (n == "x-amz-date") {
      has_date = true;
      // A presigned request signs the headers it carries except the date (in the query).
      if (presign) continue;
    }
    add_header(std::move(n), value);
  }
  Parameters query = request.query;
  const bool session = !credentials.session_token.empty();
  if (presign) {
    query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    query.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + scope);
    query.emplace_back("X-Amz-Date", date_time);
    query.emplace_back("X-Amz-Expires", std::to_string(options.presign_expires.count()));
    if (session && !options.omit_session_token) {
      query.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
  } else {
    result.headers_to_add.reserve(4);
    if (!has_date) {
      add_header("x-amz-date", date_time);
      result.headers_to_add.emplace_back("X-Amz-Date", date_time);
    }
    if (session && !options.omit_session_token) {
      add_header("x-amz-security-token", credentials.session_token);
      result.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    if (options.add_content_sha256) {
      add_header("x-amz-content-sha256", payload_hash);
      result.headers_to_add.emplace_back("x-amz-content-sha256", payload_hash);
    }
  }
  std::sort(headers.begin(), headers.end());
  std::size_t headers_size = 0;
  for (const auto& [n, v] : headers)
    headers_size += n.size() + v.size() + 2;
  std::string signed_headers;
  signed_headers.reserve(headers_size);
  for (const auto& [n, v] : headers) {
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += n;
  }
  if (presign) query.emplace_back("X-Amz-SignedHeaders", signed_headers);

  std::string path = options.normalize_path ? normalize(request.path) : request.path;
  if (path.empty()) path = "/";
  std::string canonical_path = uri_encode(path, true);
  if (options.double_uri_encode) canonical_path = uri_encode(canonical_path, true);
  const std::string query_text = canonical_query(query);

  std::string& canonical = result.canonical_request;
  canonical.reserve(request.method.size() + canonical_path.size() + query_text.size() +
                    headers_size + signed_headers.size() + payload_hash.size() + 8);
  canonical.append(request.method).append(1, '\n');
  canonical.append(canonical_path).append(1, '\n');
  canonical.append(query_text).append(1, '\n');
  for (const auto& [n, v] : headers)
    canonical.append(n).append(1, ':').append(v).append(1, '\n');
  canonical.append(1, '\n').append(signed_headers).append(1, '\n').append(payload_hash);

  unsigned char digest[32];
  sha256({canonical}, digest);
  std::string& to_sign = result.string_to_sign;
  to_sign.reserve(17 + date_time.size() + scope.size() + 2 + 64);
  to_sign.append("AWS4-HMAC-SHA256\n").append(date_time).append(1, '\n');
  to_sign.append(scope).append(1, '\n');
  to_sign.append(hex(digest, sizeof digest));

  unsigned char key[32];
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->secret != credentials.secret_access_key || cache_->date != date ||
        cache_->region != options.region || cache_->service != options.service) {
      std::string secret = "AWS4" + credentials.secret_access_key;
      unsigned char k_date[32], k_region[32], k_service[32];
      hmac(secret, date, k_date);
      hmac(as_view(k_date), options.region, k_region);
      hmac(as_view(k_region), options.service, k_service);
      hmac(as_view(k_service), "aws4_request", cache_->key);
      OPENSSL_cleanse(secret.data(), secret.size());
      OPENSSL_cleanse(k_date, sizeof k_date);
      OPENSSL_cleanse(k_region, sizeof k_region);
      OPENSSL_cleanse(k_service, sizeof k_service);
      cache_->secret = credentials.secret_access_key;
      cache_->date = std::string(date);
      cache_->region = options.region;
      cache_->service = options.service;
    }
    std::memcpy(key, cache_->key, sizeof key);
  }
  unsigned char raw[32];
  hmac(as_view(key), to_sign, raw);
  OPENSSL_cleanse(key, sizeof key);
  result.signature = hex(raw, sizeof raw);
  if (presign) {
    result.query_to_add.assign(query.begin() + static_cast<long>(request.query.size()),
                               query.end());
    if (session && options.omit_session_token) {
      result.query_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    result.query_to_add.emplace_back("X-Amz-Signature", result.signature);
  } else {
    std::string& authorization = result.authorization;
    authorization.reserve(50 + credentials.access_key_id.size() + scope.size() +
                          signed_headers.size() + result.signature.size());
    authorization.append("AWS4-HMAC-SHA256 Credential=").append(credentials.access_key_id);
    authorization.append(1, '/').append(scope).append(", SignedHeaders=").append(signed_headers);
    authorization.append(", Signature=").append(result.signature);
    if (session && options.omit_session_token) {
      result.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    result.headers_to_add.emplace_back("Authorization", result.authorization);
  }
  return result;
}

}  // namespace eventdest::aws
