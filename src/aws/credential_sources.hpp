// The individual sources of the default credential chain (see eventdest/aws/credentials.hpp),
// each fetching once without caching. The chain owns caching, ordering and locking.
//
// Thread-safety: fetch() keeps no state between calls; the chain calls it from one thread at a
// time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "eventdest/aws/credentials.hpp"

namespace eventdest::aws::detail {

struct SourceResult {
  enum class Status {
    ok,              ///< `credentials` are set
    not_configured,  ///< nothing to ask here: the chain goes on to the next source
    failed           ///< configured but failed: the chain stops with `message`
  };
  Status status = Status::not_configured;
  Credentials credentials;
  /// not_configured: why ("AWS_ACCESS_KEY_ID not set"); failed: what went wrong. Never secrets.
  std::string message;
  /// failed: a transient problem (timeout, 5xx, throttling) that a retry may get past.
  bool transient = false;

  static SourceResult success(Credentials c) {
    SourceResult r;
    r.status = Status::ok;
    r.credentials = std::move(c);
    return r;
  }
  static SourceResult skip(std::string why) {
    SourceResult r;
    r.status = Status::not_configured;
    r.message = std::move(why);
    return r;
  }
  static SourceResult failure(std::string what, bool transient) {
    SourceResult r;
    r.status = Status::failed;
    r.message = std::move(what);
    r.transient = transient;
    return r;
  }
};

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  /// "environment", "shared files", ... (prefixes its messages in the chain's error).
  virtual const char* name() const noexcept = 0;
  virtual SourceResult fetch() = 0;
};

std::unique_ptr<CredentialSource> make_environment_source();
std::unique_ptr<CredentialSource> make_shared_files_source();
std::unique_ptr<CredentialSource> make_web_identity_source(const ChainOptions& options);
std::unique_ptr<CredentialSource> make_container_source(const ChainOptions& options);
std::unique_ptr<CredentialSource> make_instance_metadata_source(const ChainOptions& options);

// --- helpers shared by the sources (and tested on their own) ---

/// getenv as a string ("" when unset).
std::string env_or_empty(const char* name);

/// An INI file: section name (trimmed, as written) -> key (lowercased) -> value (trimmed).
/// Full-line comments start with '#' or ';'; an inline comment needs whitespace before the
/// '#'/';'. Indented lines under a key with an empty value (nested settings) are ignored.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile parse_ini(std::string_view text);

/// The text of the first <tag>...</tag> inside `xml` (entities decoded), or nullopt.
std::optional<std::string> xml_element(std::string_view xml, std::string_view tag);

/// "2024-05-01T12:34:56Z", with optional fractional seconds and a Z / +hh:mm / -hh:mm offset.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s);
/// "2024-05-01T12:34:56Z".
std::string format_iso8601(std::chrono::system_clock::time_point t);

/// Replaces every occurrence of each non-empty `secret` in `text` with "<redacted>".
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace eventdest::aws::detail
