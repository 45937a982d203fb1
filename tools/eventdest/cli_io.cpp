#include <rapidjson/document.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli.hpp"
#include "util/printable.hpp"

namespace eventdest::cli {

bool parse_args(int argc, char** argv, int first, Args& args, std::string& error) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::optional<std::string>& slot) {
      if (i + 1 >= argc) {
        error = a + " needs a value";
        return false;
      }
      slot = argv[++i];
      return true;
    };
    if (a == "--destination" || a == "-d") {
      std::optional<std::string> file;
      if (!value(file)) return false;
      args.destination_files.push_back(*file);
      if (!args.destination) args.destination = *file;
    } else if (a.rfind("--destination=", 0) == 0) {
      args.destination_files.push_back(a.substr(14));
      if (!args.destination) args.destination = a.substr(14);
    } else if (a == "--destinations") {
      if (!value(args.destinations)) return false;
    } else if (a.rfind("--destinations=", 0) == 0) {
      args.destinations = a.substr(15);
    } else if (a == "--input" || a == "-i") {
      if (!value(args.input)) return false;
    } else if (a.rfind("--input=", 0) == 0) {
      args.input = a.substr(8);
    } else if (a == "--filter") {
      if (!value(args.filter)) return false;
    } else if (a.rfind("--filter=", 0) == 0) {
      args.filter = a.substr(9);
    } else if (a == "--topic") {
      if (!value(args.topic)) return false;
    } else if (a.rfind("--topic=", 0) == 0) {
      args.topic = a.substr(8);
    } else if (a == "--skip-lines") {
      if (!value(args.skip_lines)) return false;
    } else if (a.rfind("--skip-lines=", 0) == 0) {
      args.skip_lines = a.substr(13);
    } else if (a == "--drain-timeout") {
      if (!value(args.drain_timeout)) return false;
    } else if (a.rfind("--drain-timeout=", 0) == 0) {
      args.drain_timeout = a.substr(16);
    } else if (a == "--max-pending") {
      if (!value(args.max_pending)) return false;
    } else if (a.rfind("--max-pending=", 0) == 0) {
      args.max_pending = a.substr(14);
    } else if (a == "--progress" || a == "--no-progress") {
      args.progress = a == "--progress";
    } else if (a == "--raw") {
      args.raw = true;
    } else if (a == "--help" || a == "-h") {
      args.help = true;
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      error = "unknown option " + a;
      return false;
    } else {
      args.positional.push_back(a);
    }
  }
  return true;
}

std::optional<std::size_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return static_cast<std::size_t>(std::stoull(text));
}

std::optional<double> parse_seconds(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos)
    return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(v >= 0) || v > 86400.0 * 365) return std::nullopt;
  return v;
}

std::string read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<std::istream> open_input(const std::optional<std::string>& path) {
  if (!path || *path == "-") {
    // A non-owning view of std::cin keeps one code path for files and stdin.
    return std::make_unique<std::istream>(std::cin.rdbuf());
  }
  struct stat st = {};
  if (::stat(path->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw std::runtime_error("cannot read " + *path + ": it is a directory");
  auto in = std::make_unique<std::ifstream>(*path, std::ios::binary);
  if (!*in) throw std::runtime_error("cannot read " + *path);
  return in;
}

int for_each_input_event(std::istream& in,
                         const std::function<bool(const Event&, std::size_t line)>& print) {
  int status = kExitOk;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 BOM
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      if (!print(Event::from_json(line), number)) status = kExitFailed;
    } catch (const EventError& e) {
      std::cerr << "line " << number << ": " << e.what() << "\n";
      std::cout << "\n";  // keep one output line per input event
      status = kExitFailed;
    }
  }
  if (in.bad()) {
    std::cerr << "eventdest: cannot read the input after line " << number << "\n";
    return kExitUsage;
  }
  return status;
}

void print_problems(const ValidationError& e) {
  for (const auto& p : e.problems())
    std::cerr << detail::printable(p.field) << ": " << detail::printable(p.problem, true) << "\n";
}

bool several_destinations(const Args& args) {
  return args.destinations.has_value() || args.destination_files.size() > 1;
}

std::optional<std::string> destinations_json(const Args& args) {
  if (args.destinations && !args.destination_files.empty()) {
    std::cerr << "eventdest: give --destination FILE (any number) or --destinations FILE, not "
                 "both\n";
    return std::nullopt;
  }
  try {
    if (args.destinations) return read_file(*args.destinations);
    std::string json = "[";
    for (std::size_t i = 0; i < args.destination_files.size(); ++i) {
      std::string text = read_file(args.destination_files[i]);
      rapidjson::Document doc;
      doc.Parse(text.c_str(), text.size());
      if (doc.HasParseError() || !doc.IsObject()) {
        std::cerr << "eventdest: " << detail::printable(args.destination_files[i])
                  << ": not a JSON object (a destination spec)\n";
        return std::nullopt;
      }
      json += (i ? "," : "") + text;
    }
    return json + "]";
  } catch (const std::exception& e) {
    std::cerr << "eventdest: " << e.what() << "\n";
    return std::nullopt;
  }
}

std::optional<DestinationSpec> load_spec(const std::optional<std::string>& path) {
  if (!path) {
    std::cerr << "eventdest: --destination FILE is required\n";
    return std::nullopt;
  }
  std::string text;
  try {
    text = read_file(*path);
  } catch (const std::exception& e) {
    std::cerr << "eventdest: " << e.what() << "\n";
    return std::nullopt;
  }
  try {
    return parse_spec(text);
  } catch (const ConfigError& e) {
    std::cerr << "eventdest: invalid destination spec " << detail::printable(*path) << ":\n";
    print_problems(e);
    return std::nullopt;
  }
}

}  // namespace eventdest::cli
