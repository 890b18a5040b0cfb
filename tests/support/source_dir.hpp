#pragma once
// The project's folder, for tests that read files of the source tree.

#include <filesystem>

namespace mta::test {

inline std::filesystem::path source_dir() {
#ifdef MTA_SOURCE_DIR
  return std::filesystem::path(MTA_SOURCE_DIR);
#else
  // tests/support/source_dir.hpp -> the project folder.
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
#endif
}

}  // namespace mta::test
