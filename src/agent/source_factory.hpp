#pragma once
// Builds the source object of a [[source]] table, and knows what that source holds beyond its object:
// the socket it binds, the entries it keeps in the checkpoint store.

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "metrics/source_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "source/checkpoint.hpp"
#include "source/source.hpp"

namespace mta {

// `resume`: the source was running before a reload; it continues from the positions in `checkpoints`.
std::unique_ptr<Source> make_source(const SourceConfig& config, LineProcessor& processor, SourceHealth& health,
                                    CheckpointStore* checkpoints, bool resume);

// Whether the source of `next` can be opened only once the running sources `leaving` are gone: a file
// source takes, at prepare(), files and positions they may still hold and move; a syslog source may need
// one of their sockets.
bool opens_only_after(const SourceConfig& next, const std::vector<SourceConfig>& leaving);

// The entries of a source in a checkpoint store: a position per followed file keyed "<name>:<path>"
// (FileSource), a cursor keyed "<name>" (JournalSource).
// Moves them to the store `to` (which may be `from`) under `new_name`, replacing what `to` had for that
// name; false when `from` had none.
bool move_checkpoint_entries(CheckpointStore& from, const SourceConfig& source, CheckpointStore& to,
                             const std::string& new_name);
void erase_checkpoint_entries(CheckpointStore& checkpoints, const SourceConfig& source);

}  // namespace mta
