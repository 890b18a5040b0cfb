// The memory the agent's own alert rules take with many active label sets (issue 12): every built-in rule with
// its default settings, and N sources whose outcome lines are mostly unreadable, so that
// MtaExporterUnmatchedLinesHigh is active for each of them (N label sets), after 15 minutes of counts at one line a
// second each. Prints the heap the engine holds (glibc mallinfo2) in all and per label set.
//   build/tests/alert_memory_bench [N]      (default 1000)

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "alerting/alert_engine.hpp"

int main(int argc, char** argv) {
  const int sources = argc > 1 ? std::atoi(argv[1]) : 1000;
  const auto heap = [] { return static_cast<double>(mallinfo2().uordblks); };
  const mta::Knowledge& knowledge = mta::Knowledge::builtin();
  const std::vector<mta::AlertRule> rules = mta::builtin_alert_rules({});
  mta::AlertInputs inputs;
  for (int i = 0; i < sources; ++i) inputs.sources.push_back({.name = "source-" + std::to_string(i)});
  const double before = heap();
  {
    const double start = 1'000'000;
    mta::AlertEngine engine(rules, knowledge, {{"instance", "mx1:10154"}, {"job", "mta_exporter"}}, start);
    const double empty = heap();
    for (int second = 0; second <= 900; ++second) {
      for (mta::SourceCounts& source : inputs.sources) {
        source.unmatched += 1;
        source.last_line_timestamp = start + second;
      }
      engine.observe(static_cast<std::int64_t>(start) + second, inputs);
    }
    const std::size_t due = engine.evaluate(start + 900, 5, 60).size();
    const double held = heap();
    std::printf("rules: %zu, label sets active: %zu (alerts due at once: %zu)\n", engine.rules().size(),
                engine.alerts().size(), due);
    std::printf("engine without label sets: %.1f KiB\n", (empty - before) / 1024);
    std::printf("engine with them: %.1f MiB, %.1f KiB per label set\n", (held - before) / 1048576,
                (held - empty) / 1024 / static_cast<double>(engine.alerts().size()));
  }
  return 0;
}
