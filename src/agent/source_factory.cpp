#include "agent/source_factory.hpp"

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

}  // namespace mta
