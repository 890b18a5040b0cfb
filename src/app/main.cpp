#include <iostream>
#include <string_view>
#include <vector>

#include "app/commands.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: mta_exporter [COMMAND] [OPTIONS]

Commands:
  serve [--config.file FILE] [--web.listen-address [HOST]:PORT]... [--web.config.file FILE]
        [--web.telemetry-path PATH] [--log.level LEVEL] [--log.format logfmt|json]
                         run the agent (the default command); each flag wins over the file.
                         --config is an alias of --config.file; ":PORT" listens on IPv6 and IPv4;
                         the web config file is the exporter-toolkit one (TLS, basic auth)
  report [--format prometheus|text|html] [--lang en|tr] [--top N] [--since TIME] [--until TIME]
         [--year YYYY] FILE...
                         read log files (plain or .gz) from the beginning and print the resulting
                         metrics, or a report a person reads (text for mail from cron, html: one page
                         that loads nothing; --lang: English or Turkish, --top: rows of its tables);
                         --since/--until: only the lines of that time range (2024-05-01,
                         2024-05-01T10:00, with a zone or in local time)
  report --format openmetrics [--step DURATION] [--since TIME] [--until TIME] [--year YYYY] FILE...
                         the metrics as scraped every step (default 1m) while the logs were written,
                         timestamped from their lines, for promtool tsdb create-blocks-from openmetrics;
                         files merged in time order. --year: the year of each file's first
                         year-less syslog line (default: from the file's modification time)
  classify [--json | --explain [--lang en|tr]] [--config FILE]
                         classify log lines or bare SMTP replies read from standard input
  check-config FILE      validate a configuration file
  version                print the version (also --version)

Every command answers --help with this text.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> arguments(argv + 1, argv + argc);
  // "--help" after any command asks for the usage, as exporter-toolkit programs answer it; "--version" leads.
  for (const std::string_view argument : arguments) {
    if (argument == "--help" || argument == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  std::string_view command = "serve";
  if (!arguments.empty() && arguments.front() == "--version") {
    command = "version";
    arguments.erase(arguments.begin());
  } else if (!arguments.empty() && !arguments.front().starts_with("-")) {
    command = arguments.front();
    arguments.erase(arguments.begin());
  }
  if (command == "serve") return mta::run_serve(arguments);
  if (command == "report") return mta::run_report(arguments);
  if (command == "classify") return mta::run_classify(arguments);
  if (command == "check-config") return mta::run_check_config(arguments);
  if (command == "version") return mta::run_version(arguments);
  if (command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "mta_exporter: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
