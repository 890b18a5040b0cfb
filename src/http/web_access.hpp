#pragma once
// What the web config says about each request: the users of basic auth and the extra headers. The
// file is read again when it changes (looked at no more than once a second), so that a password is
// rotated without a restart, as exporter-toolkit does; a changed file that cannot be read keeps the
// rules in force. TLS settings other than the certificate need a restart.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/basic_auth.hpp"
#include "http/web_config_file.hpp"

namespace mta {

struct AccessRules {
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BasicAuth> basic_auth;  // null: no authentication
};

class WebAccess {
 public:
  // `file` is the web config as read at start; no file (path empty) means no rules, never re-read.
  explicit WebAccess(const WebConfigFile& file);

  std::shared_ptr<const AccessRules> current();

 private:
  static std::shared_ptr<const AccessRules> rules_of(const WebConfigFile& file);

  std::string path_;
  std::mutex mutex_;
  std::shared_ptr<const AccessRules> rules_;         // guarded by mutex_
  std::string stamp_;                                // guarded by mutex_
  std::chrono::steady_clock::time_point next_look_;  // guarded by mutex_
};

// Changes whenever the file is replaced or rewritten (inode, size, modification time).
std::string file_stamp(const std::string& path);

}  // namespace mta
