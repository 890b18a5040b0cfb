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
  if (options_.resume && seek_checkpoint()) return;
  if (options_.from_beginning) {
    sd_journal_seek_head(journal_);
  } else {
    sd_journal_seek_tail(journal_);
    sd_journal_previous(journal_);  // the next entry read is the first new one
  }
}

// Places the journal so that the next entry read is the first after the checkpointed cursor; false when
// there is no cursor, or it is no longer in the journal.
bool JournalSource::seek_checkpoint() {
  if (checkpoints_ == nullptr) return false;
  const std::optional<std::string> cursor = checkpoints_->cursor(options_.name);
  if (!cursor) return false;
  if (sd_journal_seek_cursor(journal_, cursor->c_str()) >= 0 && sd_journal_next(journal_) > 0) {
    // seek_cursor lands on the checkpointed entry itself, which was already counted.
    if (sd_journal_test_cursor(journal_, cursor->c_str()) <= 0) sd_journal_previous(journal_);
    return true;
  }
  spdlog::warn("msg=\"journal cursor not found\" source={}", options_.name);
  return false;
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
  // A reload opens the next version of a source before the previous one stops: continue from the cursor
  // the previous one left, not from the one it had when this was opened.
  if (options_.resume) seek_checkpoint();
  const auto fail_reading = [&](const char* what, int result) {
    publish_cursor();  // what was counted is not counted again when the source is opened anew
    ready_ = false;
    fail(what, result);
  };
  while (!stop.stop_requested()) {
    const int next = sd_journal_next(journal_);
    if (next < 0) fail_reading("journal read failed", next);
    if (next == 0) {
      if (since_publish != 0) publish_cursor();
      since_publish = 0;
      // Microseconds; wakes on new entries. An error would return at once, over and over: a failure too.
      if (const int waited = sd_journal_wait(journal_, 200'000); waited < 0)
        fail_reading("journal wait failed", waited);
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
