#pragma once
// Builds the source object of a [[source]] table.

#include <memory>

#include "config/config.hpp"
#include "metrics/source_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "source/checkpoint.hpp"
#include "source/source.hpp"

namespace mta {

// `resume`: the source was running before a reload; it continues from the positions in `checkpoints`.
std::unique_ptr<Source> make_source(const SourceConfig& config, LineProcessor& processor, SourceHealth& health,
                                    CheckpointStore* checkpoints, bool resume);

}  // namespace mta
