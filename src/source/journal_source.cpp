#include "source/journal_source.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mta {
namespace {

// Copies the value of FIELD in the current entry into `out` ("FIELD=" removed): the data sd-journal
// returns is only valid until its next call. `out` keeps its capacity, so steady state allocates nothing.
std::string_view field(sd_journal* journal, const char* name, std::string& out) {
  out.clear();
  const void* data = nullptr;
  std::size_t length = 0;
  if (sd_journal_get_data(journal, name, &data, &length) < 0) return {};
  const std::string_view value(static_cast<const char*>(data), length);
  const std::size_t equals = value.find('=');
  if (equals != std::string_view::npos) out.assign(value.substr(equals + 1));
  return out;
}

[[noreturn]] void fail(const std::string& what, int result) {
  throw std::runtime_error(what + ": " + std::strerror(-result));
}

}  // namespace

JournalSource::JournalSource(JournalSourceOptions options, RecordHandler& handler, SourceHealth& health,
                             CheckpointStore* checkpoints)
    : options_(std::move(options)), handler_(handler), health_(health), checkpoints_(checkpoints) {}

JournalSource::~JournalSource() {
  if (journal_ != nullptr) sd_journal_close(journal_);
}

void JournalSource::prepare() {
  const int opened = options_.directory.empty() ? sd_journal_open(&journal_, SD_JOURNAL_LOCAL_ONLY)
                                                : sd_journal_open_directory(&journal_, options_.directory.c_str(), 0);
  if (opened < 0) {
    fail("cannot open the journal" + (options_.directory.empty() ? std::string() : " in " + options_.directory),
         opened);
  }
  for (std::size_t i = 0; i < options_.matches.size(); ++i) {
    if (i > 0) sd_journal_add_disjunction(journal_);
    const std::string& match = options_.matches[i];
    const int added = sd_journal_add_match(journal_, match.data(), match.size());
    if (added < 0) fail("journal match \"" + match + "\"", added);
  }
  position_at_start();
  ready_ = true;
  health_.set_up(true);
}

void JournalSource::position_at_start() {
  if (options_.resume && checkpoints_ != nullptr) {
    if (const std::optional<std::string> cursor = checkpoints_->cursor(options_.name)) {
      if (sd_journal_seek_cursor(journal_, cursor->c_str()) >= 0 && sd_journal_next(journal_) > 0) {
        // seek_cursor lands on the checkpointed entry itself, which was already counted.
        if (sd_journal_test_cursor(journal_, cursor->c_str()) <= 0) sd_journal_previous(journal_);
        return;
      }
      spdlog::warn("msg=\"journal cursor not found, starting at the end\" source={}", options_.name);
    }
  }
  if (options_.from_beginning) {
    sd_journal_seek_head(journal_);
  } else {
    sd_journal_seek_tail(journal_);
    sd_journal_previous(journal_);  // the next entry read is the first new one
  }
}

void JournalSource::publish_cursor() {
  if (checkpoints_ == nullptr) return;
  char* cursor = nullptr;
  if (sd_journal_get_cursor(journal_, &cursor) >= 0 && cursor != nullptr) {
    checkpoints_->set_cursor(options_.name, cursor);
    std::free(cursor);
  }
}

void JournalSource::run(std::stop_token stop) {
  SyslogRecord record;
  std::string message, program, host, pid;
  std::size_t since_publish = 0;
  while (!stop.stop_requested()) {
    const int next = sd_journal_next(journal_);
    if (next < 0) {
      spdlog::error("msg=\"journal read failed\" source={} error=\"{}\"", options_.name, std::strerror(-next));
      health_.set_up(false);
      ready_ = false;
      break;
    }
    if (next == 0) {
      if (since_publish != 0) publish_cursor();
      since_publish = 0;
      sd_journal_wait(journal_, 200'000);  // microseconds; wakes on new entries
      continue;
    }
    record.message = field(journal_, "MESSAGE", message);
    record.program = field(journal_, "SYSLOG_IDENTIFIER", program);
    record.host = field(journal_, "_HOSTNAME", host);
    record.pid = field(journal_, "SYSLOG_PID", pid);
    health_.add_bytes(record.message.size());
    handler_.on_record(record);
    health_.mark_line_now();
    // The cursor is a string made per call: take it in batches, not per entry.
    if (++since_publish == 1000) {
      publish_cursor();
      since_publish = 0;
    }
  }
  publish_cursor();
  health_.set_up(false);
}

}  // namespace mta
