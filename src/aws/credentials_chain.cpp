// The default credential chain: walks the sources in order, caches what it finds and the source
// that found it, refreshes before expiry with one fetch at a time.
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "aws/credential_sources.hpp"
#include "eventdest/log.hpp"

namespace eventdest::aws {
namespace {

using detail::CredentialSource;
using detail::SourceResult;
using TimePoint = std::chrono::system_clock::time_point;

class DefaultChain final : public CredentialsProvider {
 public:
  DefaultChain(ChainOptions options, std::vector<std::unique_ptr<CredentialSource>> sources)
      : options_(std::move(options)), sources_(std::move(sources)) {}

  CredentialsResult get() override {
    std::uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const TimePoint t = now();
      if (cached_ && fresh(*cached_, t)) return cached_result();
      // Still valid: while another thread refreshes, or after a failed refresh, use them.
      if (cached_ && valid(*cached_, t) && (fetching_ || t < next_attempt_)) return cached_result();
      // Nothing configured (or misconfigured): not asked again for a while, so that a host
      // without IMDS does not pay a connect timeout for every request.
      if (!cached_ && last_failure_ && last_failure_->permanent && t < next_attempt_)
        return *last_failure_;
      seen = fetches_;
    }
    std::lock_guard<std::mutex> fetch_lock(fetch_mutex_);
    CredentialSource* source = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const TimePoint t = now();
      if (cached_ && fresh(*cached_, t)) return cached_result();
      if (fetches_ != seen) {
        // A fetch finished while this thread waited: its outcome is this call's too.
        if (cached_ && valid(*cached_, t)) return cached_result();
        if (last_failure_) return *last_failure_;
      }
      fetching_ = true;
      source = cached_source_;
    }

    SourceResult result;
    if (source) {
      result = fetch_from(*source);
      // The remembered source is gone (e.g. its variables were unset): look everywhere again.
      if (result.status == SourceResult::Status::not_configured) source = nullptr;
    }
    CredentialsResult failure;
    if (!source) source = walk(result, failure);

    // Logged after mutex_ is released: a log handler must not run under the chain's lock.
    std::pair<LogLevel, std::string> to_log{LogLevel::debug, ""};
    CredentialsResult out = store(result, source, std::move(failure), to_log);
    if (!to_log.second.empty() && log_enabled(to_log.first)) log(to_log.first, to_log.second);
    return out;
  }

  // Records the outcome of a fetch and says what get() returns.
  CredentialsResult store(SourceResult& result, CredentialSource* source, CredentialsResult failure,
                          std::pair<LogLevel, std::string>& to_log) {
    std::lock_guard<std::mutex> lock(mutex_);
    fetching_ = false;
    ++fetches_;
    if (result.status == SourceResult::Status::ok) {
      cached_ = std::move(result.credentials);
      cached_source_ = source;
      next_attempt_ = {};
      last_failure_.reset();
      to_log = {LogLevel::debug,
                "AWS credentials from " + source_name() + ": " + cached_->to_string()};
      return cached_result();
    }
    if (failure.error.empty()) {
      failure.error = "no AWS credentials: " + std::string(source->name()) + ": " + result.message;
      failure.permanent = !result.transient;
    }
    const TimePoint t = now();
    if (cached_ && valid(*cached_, t)) {
      next_attempt_ = t + options_.refresh_retry_interval;
      to_log = {LogLevel::warning,
                "refreshing AWS credentials failed; using the cached ones until " +
                    detail::format_iso8601(*cached_->expiration) + ": " + failure.error};
      return cached_result();
    }
    last_failure_ = failure;
    next_attempt_ = failure.permanent ? t + options_.refresh_retry_interval : TimePoint{};
    return failure;
  }

  void invalidate() override {
    std::lock_guard<std::mutex> lock(mutex_);
    cached_.reset();
    cached_source_ = nullptr;
    next_attempt_ = {};
    last_failure_.reset();
  }

 private:
  TimePoint now() const {
    return options_.clock ? options_.clock() : std::chrono::system_clock::now();
  }
  bool fresh(const Credentials& c, TimePoint t) const {
    return !c.expiration || t + options_.refresh_window < *c.expiration;
  }
  static bool valid(const Credentials& c, TimePoint t) {
    return !c.expiration || t < *c.expiration;
  }

  std::string source_name() const { return cached_source_ ? cached_source_->name() : "?"; }

  CredentialsResult cached_result() const {
    CredentialsResult r;
    r.credentials = cached_;
    r.source = source_name();
    return r;
  }

  static SourceResult fetch_from(CredentialSource& source) noexcept {
    try {
      return source.fetch();
    } catch (const std::exception& e) {
      return SourceResult::failure(std::string("internal error: ") + e.what(), true);
    } catch (...) {
      return SourceResult::failure("internal error", true);
    }
  }

  // Every source in order until one has credentials or fails; on no success `failure` lists
  // what each one said. Returns the last source asked.
  CredentialSource* walk(SourceResult& result, CredentialsResult& failure) {
    std::string tried;
    CredentialSource* last = nullptr;
    for (const auto& source : sources_) {
      last = source.get();
      result = fetch_from(*source);
      if (result.status == SourceResult::Status::ok) return last;
      tried += (tried.empty() ? "" : "; ") + std::string(source->name()) + ": " + result.message;
      if (result.status == SourceResult::Status::failed) {
        failure.error = "no AWS credentials: " + tried;
        failure.permanent = !result.transient;
        return last;
      }
    }
    failure.error = "no AWS credentials: " + (tried.empty() ? "no sources" : tried);
    failure.permanent = true;
    result.status = SourceResult::Status::not_configured;
    return last;
  }

  const ChainOptions options_;
  const std::vector<std::unique_ptr<CredentialSource>> sources_;

  std::mutex fetch_mutex_;    ///< one fetch at a time; taken before mutex_, never inside it
  mutable std::mutex mutex_;  ///< guards what follows
  std::optional<Credentials> cached_;
  CredentialSource* cached_source_ = nullptr;
  std::optional<CredentialsResult> last_failure_;  ///< of the last fetch, while nothing is cached
  TimePoint next_attempt_{};                       ///< no refresh before this after a failed one
  std::uint64_t fetches_ = 0;                      ///< completed fetches
  bool fetching_ = false;
};

}  // namespace

std::shared_ptr<CredentialsProvider> make_default_credentials_chain(ChainOptions options) {
  std::vector<std::unique_ptr<CredentialSource>> sources;
  sources.push_back(detail::make_environment_source());
  sources.push_back(detail::make_shared_files_source());
  sources.push_back(detail::make_web_identity_source(options));
  sources.push_back(detail::make_container_source(options));
  sources.push_back(detail::make_instance_metadata_source(options));
  return std::make_shared<DefaultChain>(std::move(options), std::move(sources));
}

}  // namespace eventdest::aws
