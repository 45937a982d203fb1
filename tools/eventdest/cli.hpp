// The eventdest CLI: subcommands and the small I/O helpers they share.
// Exit codes (the CLI contract in DESIGN.md): 0 success, 1 some events failed / evaluation
// error (or stdout failed), 2 usage, configuration or input error, 128 + signal number when
// publish was stopped by SIGINT (130) or SIGTERM (143).
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventdest/spec.hpp"

namespace eventdest::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSignalBase = 128;

/// Parsed `--name value` options and positional arguments of one subcommand.
struct Args {
  std::vector<std::string> positional;
  std::optional<std::string> destination;      // --destination FILE (the first)
  std::vector<std::string> destination_files;  // every --destination FILE, in order
  std::optional<std::string> destinations;     // --destinations FILE (a JSON array of specs)
  std::optional<std::string> input;            // --input FILE|-
  std::optional<std::string> filter;           // --filter JSON|@FILE
  std::optional<std::string> topic;            // --topic T (publish --raw)
  std::optional<std::string> skip_lines;       // --skip-lines N (publish)
  std::optional<std::string> drain_timeout;    // --drain-timeout S (publish)
  std::optional<std::string> max_pending;      // --max-pending N (publish)
  bool raw = false;                            // --raw: each input line is an event's data
  std::optional<bool> progress;                // --progress / --no-progress (publish)
  bool help = false;
};

/// Parses argv after the subcommand; returns false (with `error` set) on unknown options.
bool parse_args(int argc, char** argv, int first, Args& args, std::string& error);

/// Parses a non-negative whole number ("--skip-lines") or number of seconds ("--drain-timeout");
/// nullopt when `text` is not one.
std::optional<std::size_t> parse_count(const std::string& text);
std::optional<double> parse_seconds(const std::string& text);

/// Reads a whole file ("-" is stdin); throws std::runtime_error naming the file on failure.
std::string read_file(const std::string& path);
/// Opens --input (stdin when absent or "-"); throws std::runtime_error if it cannot be read.
std::unique_ptr<std::istream> open_input(const std::optional<std::string>& path);
/// For each non-blank line of `in`, parsed as an event: `print` writes its one output line (and
/// returns false when the event fails a check of its own). A line that is no valid event gets its
/// problem on stderr and an empty output line, so output lines stay one per input event. Returns
/// kExitOk, or kExitFailed when any line failed.
int for_each_input_event(std::istream& in,
                         const std::function<bool(const Event&, std::size_t line)>& print);
/// Reads and parses --destination; prints field-level messages and returns nullopt on error.
std::optional<DestinationSpec> load_spec(const std::optional<std::string>& path);
/// Prints every problem of a ConfigError as `field: problem` lines to stderr.
void print_problems(const ValidationError& e);

int cmd_publish(const Args& args);
int cmd_validate(const Args& args);
/// True when the command was given several destinations (--destination twice or more, or
/// --destinations): a Router publishes to them.
bool several_destinations(const Args& args);
/// The JSON array of the destinations' specs (the files' bodies, or --destinations' text);
/// nullopt after printing why on stderr.
std::optional<std::string> destinations_json(const Args& args);
int cmd_spool(const Args& args);
int cmd_partition_key(const Args& args);
int cmd_jmespath(const Args& args);
int cmd_filter(const Args& args);

}  // namespace eventdest::cli
