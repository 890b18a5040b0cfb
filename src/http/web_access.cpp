#include "http/web_access.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "logging/logfmt.hpp"

namespace mta {

std::string file_stamp(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "missing";
  return std::to_string(info.st_ino) + ":" + std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) +
         "." + std::to_string(info.st_mtim.tv_nsec);
}

WebAccess::WebAccess(const WebConfigFile& file) : path_(file.path), rules_(rules_of(file)) {
  if (!path_.empty()) stamp_ = file_stamp(path_);
}

std::shared_ptr<const AccessRules> WebAccess::rules_of(const WebConfigFile& file) {
  auto rules = std::make_shared<AccessRules>();
  rules->headers = file.headers;
  if (!file.basic_auth_users.empty()) rules->basic_auth = std::make_shared<BasicAuth>(file.basic_auth_users);
  return rules;
}

std::shared_ptr<const AccessRules> WebAccess::current() {
  const std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (path_.empty() || now < next_look_) return rules_;
  next_look_ = now + std::chrono::seconds(1);
  const std::string stamp = file_stamp(path_);
  if (stamp == stamp_) return rules_;
  stamp_ = stamp;
  try {
    rules_ = rules_of(load_web_config_file(path_));
    spdlog::info("msg=\"web config read again\" path={}", log_quoted(path_));
  } catch (const WebConfigError& error) {
    spdlog::warn("msg=\"changed web config cannot be used; keeping the rules in force\" error={}",
                 log_quoted(error.what()));
  }
  return rules_;
}

}  // namespace mta
