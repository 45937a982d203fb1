// eventdest: publish NDJSON events to a destination, validate specs, compute partition keys and
// evaluate JMESPath expressions. See DESIGN.md ("The CLI contract").
#include <cstring>
#include <iostream>

#include "allocator_info.hpp"
#include "cli.hpp"
#include "eventdest/version.hpp"

#ifdef EVENTDEST_CLI_WITH_KAFKA
#include "eventdest/kafka.hpp"  // registers the native `kafka` destination type
#endif

namespace {

const char* kUsage = R"(usage: eventdest <command> [options]

commands:
  publish --destination FILE [--destination FILE ...] | --destinations FILE
          [--input FILE|-] [--topic T --raw] [--skip-lines N]
          [--drain-timeout S] [--max-pending N] [--progress|--no-progress]
      Publish NDJSON events (stdin by default). stdout: one JSON delivery report per event,
      in input order, as events complete; stderr: a summary (and progress on a terminal). With
      --raw --topic T each input line is an event's data (e.g. a webhook body): an event on T
      with a generated id and the current time. --skip-lines N starts after N input lines.
      At most --max-pending reports (default 100000) wait for an earlier event's report to be
      printed in order; past that, reading pauses until the earliest event has its report.
      Progress (events read, outcomes, in flight, events/s, ETA for a file) is shown on a
      terminal stderr only, unless --progress or --no-progress says otherwise.
      On SIGINT/SIGTERM: stop reading, let events in flight finish for up to --drain-timeout
      seconds (default 30; a second signal stops at once), report the rest as `interrupted`.
      Exit 0: all delivered; 1: some failed, or stdout failed; 2: usage, config or input
      error; 130/143: stopped by SIGINT/SIGTERM.
      Several destinations (--destination more than once, or --destinations FILE: a JSON array
      of specs, e.g. Outpost's list response): each event is published once to every
      destination whose topics and filter take it; stdout has one report per (event, matching
      destination), in input order then destination order, each with "destination_id" (the
      spec's id, else its index); an event none takes has no line; the summary counts per
      destination.
  validate --destination FILE [--destination FILE ...] | --destinations FILE
      Exit 0 if the destination spec is valid, else 2 with one `field: problem` line each
      (with several destinations, each field prefixed by the spec's id, else [index]).
  spool --destination FILE
      Print what the destination's spool (config.spool) holds, as one JSON line: events not yet
      released, their bytes, segment files, the oldest event. `publish` with a spooled
      destination publishes those events first (reports say "replayed": true), then its input;
      a run with empty input drains the spool.
  partition-key --destination FILE [--input FILE|-]
      Print the partition key of each input event, one per line.
  jmespath EXPRESSION [--input FILE|-]
      Evaluate EXPRESSION against a JSON document (stdin by default); print compact JSON.
      Exit 1 with a message on a syntax or runtime error.
  filter --filter JSON|@FILE [--input FILE|-]
      Print `true` or `false` per input event line: whether Outpost's filter matches the event
      ({id, topic, time (RFC 3339), metadata, data}). Exit 2 on an invalid filter.
  --version
      Print the version, and the malloc the CLI runs on (jemalloc when the build found it).

Input event lines: {"id"?, "topic", "time"?, "metadata"?: {string: string}, "data"}
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace eventdest::cli;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "eventdest " << eventdest::kVersion << "\n"
              << "malloc: " << allocator_description() << "\n";
    return kExitOk;
  }
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, args, error)) {
    std::cerr << "eventdest " << command << ": " << error << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (args.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "publish") return cmd_publish(args);
  if (command == "validate") return cmd_validate(args);
  if (command == "spool") return cmd_spool(args);
  if (command == "partition-key") return cmd_partition_key(args);
  if (command == "jmespath") return cmd_jmespath(args);
  if (command == "filter") return cmd_filter(args);
  std::cerr << "eventdest: unknown command " << command << "\n\n" << kUsage;
  return kExitUsage;
}
