// The environment and shared-files (~/.aws/credentials, ~/.aws/config) credential sources.
#include <fstream>
#include <sstream>
#include <vector>

#include "aws/credential_sources.hpp"

namespace eventdest::aws::detail {
namespace {

class EnvironmentSource final : public CredentialSource {
 public:
  const char* name() const noexcept override { return "environment"; }
  SourceResult fetch() override {
    Credentials c{env_or_empty("AWS_ACCESS_KEY_ID"), env_or_empty("AWS_SECRET_ACCESS_KEY"),
                  env_or_empty("AWS_SESSION_TOKEN"), std::nullopt};
    if (c.access_key_id.empty() && c.secret_access_key.empty())
      return SourceResult::skip("AWS_ACCESS_KEY_ID not set");
    if (c.secret_access_key.empty())
      return SourceResult::failure("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                                   false);
    if (c.access_key_id.empty())
      return SourceResult::failure("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                                   false);
    return SourceResult::success(std::move(c));
  }
};

// `env` when set, else ~/.aws/<file>; a leading "~/" is expanded with HOME.
std::string file_path(const char* env, const char* file) {
  std::string path = env_or_empty(env);
  if (path.empty()) path = std::string("~/.aws/") + file;
  if (path.rfind("~/", 0) == 0) {
    const std::string home = env_or_empty("HOME");
    if (!home.empty()) path = home + path.substr(1);
  }
  return path;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ProfileLookup {
  const std::map<std::string, std::string>* section = nullptr;
  std::string where;  ///< "[name] in <path>"
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A config-file section "profile <name>" (any blanks after "profile") names `profile`.
bool config_section_names_profile(std::string_view section, const std::string& profile) {
  if (section.rfind("profile", 0) != 0 || section.size() <= 7) return false;
  if (section[7] != ' ' && section[7] != '\t') return false;
  section.remove_prefix(7);
  while (!section.empty() && (section.front() == ' ' || section.front() == '\t'))
    section.remove_prefix(1);
  return section == profile;
}

class SharedFilesSource final : public CredentialSource {
 public:
  const char* name() const noexcept override { return "shared files"; }

  SourceResult fetch() override {
    std::string profile = env_or_empty("AWS_PROFILE");
    if (profile.empty()) profile = "default";
    const std::string credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    const std::string config_path = file_path("AWS_CONFIG_FILE", "config");
    const auto credentials_text = read_file(credentials_path);
    const auto config_text = read_file(config_path);
    const IniFile credentials_ini = credentials_text ? parse_ini(*credentials_text) : IniFile{};
    const IniFile config_ini = config_text ? parse_ini(*config_text) : IniFile{};

    // The credentials file names sections [name]; the config file [profile name], except the
    // default profile, which is [default] (botocore also takes [profile default]).
    std::vector<ProfileLookup> found;
    if (auto it = credentials_ini.find(profile); it != credentials_ini.end())
      found.push_back({&it->second, "[" + profile + "] in " + credentials_path});
    for (const auto& entry : config_ini) {
      const std::string& section = entry.first;
      const auto& values = entry.second;
      const bool match = (profile == "default" && section == "default") ||
                         config_section_names_profile(section, profile);
      if (match) found.push_back({&values, "[" + section + "] in " + config_path});
    }
    if (found.empty()) {
      return SourceResult::skip("no profile '" + profile + "' in " + credentials_path +
                                (credentials_text ? "" : " (no such file)") + " or " + config_path +
                                (config_text ? "" : " (no such file)"));
    }

    std::vector<std::string> unsupported;
    for (const auto& p : found) {
      const auto get = [&](const char* key) {
        const auto it = p.section->find(key);
        return it == p.section->end() ? std::string() : it->second;
      };
      Credentials c{get("aws_access_key_id"), get("aws_secret_access_key"),
                    get("aws_session_token"), std::nullopt};
      if (!c.access_key_id.empty() && !c.secret_access_key.empty())
        return SourceResult::success(std::move(c));
      if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
        return SourceResult::failure(
            "profile " + p.where + " has " +
                (c.access_key_id.empty() ? "aws_secret_access_key but no aws_access_key_id"
                                         : "aws_access_key_id but no aws_secret_access_key"),
            false);
      }
      for (const char* key :
           {"role_arn", "source_profile", "credential_source", "credential_process", "sso_session",
            "sso_start_url", "web_identity_token_file"}) {
        if (p.section->count(key)) unsupported.push_back(key);
      }
    }
    std::string where;
    for (const auto& p : found)
      where += (where.empty() ? "" : " and ") + p.where;
    if (!unsupported.empty()) {
      return SourceResult::skip("profile " + where + " uses " + joined(unsupported) +
                                " (not supported: only aws_access_key_id/aws_secret_access_key)");
    }
    return SourceResult::skip("profile " + where + " has no aws_access_key_id");
  }
};

}  // namespace

std::unique_ptr<CredentialSource> make_environment_source() {
  return std::make_unique<EnvironmentSource>();
}

std::unique_ptr<CredentialSource> make_shared_files_source() {
  return std::make_unique<SharedFilesSource>();
}

}  // namespace eventdest::aws::detail
