#pragma once
// Reads the systemd journal with sd-journal: field matches (OR-ed), follow mode, the cursor kept in
// the checkpoint store, or journal files from a folder. Entries go to the MTA parsers as syslog
// records (program from SYSLOG_IDENTIFIER), without a text header to parse.

#include <atomic>
#include <stop_token>
#include <string>
#include <vector>

#include "metrics/source_metrics.hpp"
#include "source/checkpoint.hpp"
#include "source/source.hpp"
#include "syslog/record_handler.hpp"

struct sd_journal;

namespace mta {

struct JournalSourceOptions {
  std::string name;
  std::vector<std::string> matches;  // "FIELD=value"; any of them selects an entry
  std::string directory;             // empty: the system journal
  bool from_beginning = false;
  bool resume = false;  // start after the checkpointed cursor
};

class JournalSource final : public Source {
 public:
  JournalSource(JournalSourceOptions options, RecordHandler& handler, SourceHealth& health,
                CheckpointStore* checkpoints);
  ~JournalSource() override;

  // Opens the journal and applies the matches; throws std::runtime_error when it cannot.
  void prepare() override;
  // Throws std::runtime_error when the journal cannot be read (the agent opens the source anew).
  void run(std::stop_token stop) override;
  bool ready() const override { return ready_.load(); }

 private:
  void position_at_start();
  bool seek_checkpoint();
  void publish_cursor();

  JournalSourceOptions options_;
  RecordHandler& handler_;
  SourceHealth& health_;
  CheckpointStore* checkpoints_;
  sd_journal* journal_ = nullptr;
  std::atomic<bool> ready_{false};
};

}  // namespace mta
