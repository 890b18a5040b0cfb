#pragma once
// Reads typed values out of a TOML table; every error names the file, line, column and key.

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace mta {

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const toml::node& node, std::string_view key, std::string_view what) const {
    fail_at(node.source(), key, what);
  }

  [[noreturn]] void fail_at(const toml::source_region& where, std::string_view key, std::string_view what) const {
    throw ConfigError(origin_ + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column) +
                      ": " + std::string(key) + ": " + std::string(what));
  }

  void check_keys(const toml::table& table, std::string_view context,
                  std::initializer_list<std::string_view> allowed) const {
    for (auto&& [key, value] : table) {
      (void)value;
      bool known = false;
      for (std::string_view name : allowed) known = known || key.str() == name;
      if (!known) {
        std::string list;
        for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
        fail_at(key.source(), std::string(context) + std::string(key.str()),
                "unknown key (expected one of: " + list + ")");
      }
    }
  }

  std::string string(const toml::table& table, std::string_view key, std::string_view context,
                     std::string fallback) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    if (!node->is_string()) fail(*node, std::string(context) + std::string(key), "must be a string");
    return std::string(*node->value<std::string_view>());
  }

  bool boolean(const toml::table& table, std::string_view key, std::string_view context, bool fallback) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    if (!node->is_boolean()) fail(*node, std::string(context) + std::string(key), "must be true or false");
    return *node->value<bool>();
  }

  // A number greater than 0 and at most `max` (seconds, a rate).
  double positive_number(const toml::table& table, std::string_view key, std::string_view context, double fallback,
                         double max) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    const std::optional<double> value = node->value<double>();
    if (!value || !(*value > 0) || *value > max) {
      std::ostringstream limit;
      limit << max;
      fail(*node, std::string(context) + std::string(key),
           "must be a number greater than 0 and at most " + limit.str());
    }
    return *value;
  }

  // A whole number from 1 to `max` (sizes, counts): fractions and out-of-range values are errors.
  std::int64_t positive_integer(const toml::table& table, std::string_view key, std::string_view context,
                                std::int64_t fallback, std::int64_t max) const {
    return integer(table, key, context, fallback, 1, max);
  }

  // A whole number from `min` to `max`.
  std::int64_t integer(const toml::table& table, std::string_view key, std::string_view context, std::int64_t fallback,
                       std::int64_t min, std::int64_t max) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    const std::optional<std::int64_t> value = node->value_exact<std::int64_t>();
    if (!value || *value < min || *value > max) {
      fail(*node, std::string(context) + std::string(key),
           "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return *value;
  }

  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

}  // namespace mta
