#include "agent/source_factory.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "source/file_source.hpp"
#include "source/journal_source.hpp"
#include "source/stream_sources.hpp"
#include "source/syslog_source.hpp"

namespace mta {
std::unique_ptr<Source> make_source(const SourceConfig& config, LineProcessor& processor, SourceHealth& health,
                                    CheckpointStore* checkpoints, bool resume) {
  switch (config.type) {
    case SourceType::file: {
      FileSourceOptions options;
      options.name = config.name;
      options.pattern = config.path;
      options.start_at = config.start_at;
      options.max_line_length = config.max_line_length;
      options.format = config.format;
      options.rotate_wait = std::chrono::milliseconds(static_cast<long long>(config.rotate_wait_seconds * 1000));
      options.resume = resume;
      return std::make_unique<FileSource>(options, processor, health, checkpoints);
    }
    case SourceType::stdin_stream: return std::make_unique<StdinSource>(processor, health, config.max_line_length);
    case SourceType::replay:
      return std::make_unique<ReplaySource>(ReplayOptions{config.path, config.lines_per_second, config.loop}, processor,
                                            health);
    case SourceType::syslog: {
      SyslogServerOptions options;
      options.listen = parse_syslog_listen(config.listen);
      options.receive_buffer = config.receive_buffer;
      options.max_frame_size = config.max_frame_size;
      options.max_connections = config.max_connections;
      options.max_connections_per_peer = config.max_connections_per_peer;
      options.idle_timeout = std::chrono::milliseconds(static_cast<long long>(config.idle_timeout_seconds * 1000));
      options.count_hosts = config.max_hosts > 0;
      std::vector<PeerRange> allowed_peers;
      for (const std::string& range : config.allowed_peers) allowed_peers.push_back(parse_peer_range(range));
      options.allowed_peers = PeerFilter(std::move(allowed_peers));
      options.tls = {config.tls_cert_file, config.tls_key_file, config.tls_client_ca_file};
      return std::make_unique<SyslogSource>(options, processor, health);
    }
    case SourceType::journal: {
      JournalSourceOptions options;
      options.name = config.name;
      options.matches = config.matches;
      options.directory = config.directory;
      options.from_beginning = config.start_at == StartAt::beginning;
      options.resume = resume || config.start_at == StartAt::checkpoint;
      return std::make_unique<JournalSource>(options, processor, health, checkpoints);
    }
  }
  return nullptr;
}

namespace {

bool same_socket(const std::string& listen, const std::string& other) {
  try {
    const SyslogListen a = parse_syslog_listen(listen);
    const SyslogListen b = parse_syslog_listen(other);
    using Transport = SyslogListen::Transport;
    if (a.transport == Transport::unix_datagram || b.transport == Transport::unix_datagram) return a.path == b.path;
    // Any two hosts on one port: the wildcard address holds every one of them.
    return a.is_stream() == b.is_stream() && a.port == b.port;
  } catch (const std::invalid_argument&) {
    return false;  // the source cannot be built anyway, and says why then
  }
}

// The checkpoint keys of a file source. Another source may be named like this one followed by a colon:
// the rest of the key must be a path this one follows.
std::vector<std::string> file_keys(const CheckpointStore& checkpoints, const SourceConfig& source) {
  const std::string prefix = source.name + ":";
  std::vector<std::string> keys;
  for (const std::string& key : checkpoints.file_keys()) {
    if (!key.starts_with(prefix)) continue;
    const std::string path(checkpoint_key_path(std::string_view(key).substr(prefix.size())));
    if (path == source.path || ::fnmatch(source.path.c_str(), path.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) {
      keys.push_back(key);
    }
  }
  return keys;
}

}  // namespace

bool opens_only_after(const SourceConfig& next, const std::vector<SourceConfig>& leaving) {
  if (next.type == SourceType::file) return true;
  return next.type == SourceType::syslog &&
         std::any_of(leaving.begin(), leaving.end(), [&](const SourceConfig& source) {
           return source.type == SourceType::syslog && same_socket(source.listen, next.listen);
         });
}

bool move_checkpoint_entries(CheckpointStore& from, const SourceConfig& source, CheckpointStore& to,
                             const std::string& new_name) {
  const std::vector<std::string> keys =
      source.type == SourceType::file ? file_keys(from, source) : std::vector<std::string>();
  const std::optional<std::string> cursor =
      source.type == SourceType::journal ? from.cursor(source.name) : std::nullopt;
  if (keys.empty() && !cursor) return false;
  SourceConfig renamed = source;
  renamed.name = new_name;
  // Entries the new name kept from an earlier life would mix with the moved ones.
  erase_checkpoint_entries(to, renamed);
  for (const std::string& key : keys) {
    if (const std::optional<FilePosition> position = from.file(key)) {
      from.erase_file(key);
      to.set_file(new_name + key.substr(source.name.size()), *position);
    }
  }
  if (cursor) {
    from.erase_cursor(source.name);
    to.set_cursor(new_name, *cursor);
  }
  return true;
}

void erase_checkpoint_entries(CheckpointStore& checkpoints, const SourceConfig& source) {
  if (source.type == SourceType::journal) checkpoints.erase_cursor(source.name);
  if (source.type != SourceType::file) return;
  for (const std::string& key : file_keys(checkpoints, source)) checkpoints.erase_file(key);
}

}  // namespace mta
