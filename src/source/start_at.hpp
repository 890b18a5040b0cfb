#pragma once

#include <cstdint>

namespace mta {

// Where a file or journal source starts reading when the agent starts.
enum class StartAt : std::uint8_t {
  end,         // only what is written from now on
  beginning,   // everything already there, then what follows
  checkpoint,  // where the checkpoint file says the last run stopped
};

}  // namespace mta
