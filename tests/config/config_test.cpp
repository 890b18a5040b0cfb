// Tests for the TOML configuration (src/config/config.hpp): every key, the defaults, relative paths and
// the error messages, which must name the file, the line and the key.

#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "source/tls_test_pki.hpp"
#include "support/case_name.hpp"
#include "support/source_dir.hpp"

namespace mta {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using test::source_dir;

constexpr const char* kOrigin = "/etc/mta_exporter/mta_exporter.toml";

// The message of the ConfigError that parsing `text` throws; fails the test when it does not throw.
std::string error_of(const std::string& text, const std::string& origin = kOrigin) {
  try {
    parse_config(text, origin);
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return {};
}

// --- valid configurations ---------------------------------------------------------------------------------

TEST(ConfigTest, FullConfigWithEveryKey) {
  const Config config = parse_config(R"(
[web]
listen_address = "127.0.0.1:9154"
telemetry_path = "/custom/metrics"

[log]
level = "debug"

[[source]]
type = "file"
name = "main"
path = "/var/log/mail.log"
start_at = "beginning"
max_line_length = 4096
rotate_wait_seconds = 30

[[source]]
type = "stdin"
name = "piped"
max_line_length = 1024

[[source]]
type = "replay"
name = "demo"
path = "sample/mail.log"
lines_per_second = 50.5
loop = false
)",
                                     kOrigin);
  EXPECT_EQ(config.web.listen_addresses, std::vector<std::string>{"127.0.0.1:9154"});
  EXPECT_EQ(config.web.telemetry_path, "/custom/metrics");
  EXPECT_EQ(config.log_level, "debug");
  ASSERT_EQ(config.sources.size(), 3u);

  const SourceConfig& file = config.sources[0];
  EXPECT_EQ(file.type, SourceType::file);
  EXPECT_EQ(file.name, "main");
  EXPECT_EQ(file.path, "/var/log/mail.log");
  EXPECT_EQ(file.start_at, StartAt::beginning);
  EXPECT_EQ(file.max_line_length, 4096u);
  EXPECT_DOUBLE_EQ(file.rotate_wait_seconds, 30);

  const SourceConfig& piped = config.sources[1];
  EXPECT_EQ(piped.type, SourceType::stdin_stream);
  EXPECT_EQ(piped.name, "piped");
  EXPECT_EQ(piped.path, "");
  EXPECT_EQ(piped.max_line_length, 1024u);

  const SourceConfig& replay = config.sources[2];
  EXPECT_EQ(replay.type, SourceType::replay);
  EXPECT_EQ(replay.name, "demo");
  EXPECT_EQ(replay.path, "/etc/mta_exporter/sample/mail.log");  // relative to the config's folder
  EXPECT_DOUBLE_EQ(replay.lines_per_second, 50.5);
  EXPECT_FALSE(replay.loop);
}

TEST(ConfigTest, EmptyConfigGivesDefaults) {
  const Config config = parse_config("", kOrigin);
  EXPECT_EQ(config.web.listen_addresses, std::vector<std::string>{":10154"});
  EXPECT_EQ(config.web.telemetry_path, "/metrics");
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.sources.empty());
  ASSERT_NE(config.site_rules, nullptr);
  EXPECT_TRUE(config.site_rules->empty());
}

TEST(ConfigTest, MetricsReplySeriesLimit) {
  EXPECT_EQ(parse_config("", kOrigin).metrics.reply_series_limit, 20000u);
  EXPECT_EQ(parse_config("[metrics]\n", kOrigin).metrics.reply_series_limit, 20000u);
  EXPECT_EQ(parse_config("[metrics]\nreply_series_limit = 50000\n", kOrigin).metrics.reply_series_limit, 50000u);
  EXPECT_EQ(parse_config("[metrics]\nreply_series_limit = 100\n", kOrigin).metrics.reply_series_limit, 100u);
  EXPECT_EQ(parse_config("[metrics]\nreply_series_limit = 1000000\n", kOrigin).metrics.reply_series_limit, 1000000u);
}

TEST(ConfigTest, EmptyTablesGiveDefaults) {
  const Config config = parse_config("[web]\n[log]\n", kOrigin);
  EXPECT_EQ(config.web.listen_addresses, std::vector<std::string>{":10154"});
  EXPECT_EQ(config.web.telemetry_path, "/metrics");
  EXPECT_EQ(config.log_level, "info");
}

TEST(ConfigTest, WebListensOnSeveralAddressesAndNamesAWebConfigFile) {
  const Config config = parse_config(R"(
[web]
listen_address = ["127.0.0.1:9154", "[::1]:9154"]
config_file = "web.yml"
[log]
format = "json"
)",
                                     kOrigin);
  EXPECT_EQ(config.web.listen_addresses, (std::vector<std::string>{"127.0.0.1:9154", "[::1]:9154"}));
  EXPECT_EQ(config.web.config_file, (std::filesystem::path(kOrigin).parent_path() / "web.yml").string());
  EXPECT_EQ(config.log_format, "json");
  EXPECT_EQ(parse_config("", kOrigin).log_format, "logfmt");
}

TEST(ConfigTest, SourceDefaults) {
  const Config config = parse_config(R"(
[[source]]
type = "file"
path = "/var/log/maillog"

[[source]]
type = "stdin"

[[source]]
type = "replay"
path = "/srv/sample.log"
)",
                                     kOrigin);
  ASSERT_EQ(config.sources.size(), 3u);
  EXPECT_EQ(config.sources[0].name, "maillog");  // the file name of the path
  EXPECT_EQ(config.sources[0].start_at, StartAt::end);
  EXPECT_EQ(config.sources[0].max_line_length, 65536u);
  EXPECT_DOUBLE_EQ(config.sources[0].rotate_wait_seconds, 5);
  EXPECT_EQ(config.sources[1].name, "stdin");
  EXPECT_EQ(config.sources[1].max_line_length, 65536u);
  EXPECT_EQ(config.sources[2].name, "sample.log");
  EXPECT_DOUBLE_EQ(config.sources[2].lines_per_second, 20);
  EXPECT_TRUE(config.sources[2].loop);
}

TEST(ConfigTest, IntegerWhereANumberIsExpected) {
  const Config config =
      parse_config("[[source]]\ntype = \"replay\"\npath = \"/x.log\"\nlines_per_second = 7\n", kOrigin);
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_DOUBLE_EQ(config.sources[0].lines_per_second, 7);
}

TEST(ConfigTest, RelativePathsAreResolvedAgainstTheConfigFolder) {
  const Config config = parse_config(R"(
[[source]]
type = "file"
name = "a"
path = "mail.log"

[[source]]
type = "file"
name = "b"
path = "../logs/./mail.log"

[[source]]
type = "file"
name = "c"
path = "/abs/mail.log"
)",
                                     "/etc/mta_exporter/conf.d/main.toml");
  ASSERT_EQ(config.sources.size(), 3u);
  EXPECT_EQ(config.sources[0].path, "/etc/mta_exporter/conf.d/mail.log");
  EXPECT_EQ(config.sources[1].path, "/etc/mta_exporter/logs/mail.log");
  EXPECT_EQ(config.sources[2].path, "/abs/mail.log");
}

TEST(ConfigTest, LoadConfigResolvesAgainstTheFileFolder) {
  const fs::path dir = fs::temp_directory_path() / ("mta_config_test_" + std::to_string(::getpid()));
  fs::create_directories(dir / "conf");
  const fs::path file = dir / "conf" / "mta.toml";
  {
    std::ofstream out(file);
    out << "[[source]]\ntype = \"file\"\npath = \"../log/mail.log\"\n";
  }
  const Config config = load_config(file.string());
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].path, (dir / "log" / "mail.log").string());
  fs::remove_all(dir);
}

TEST(ConfigTest, LoadConfigOfAMissingFileNamesIt) {
  try {
    load_config("/nonexistent/dir/mta.toml");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/dir/mta.toml"));
  }
}

TEST(ConfigTest, ShippedConfigsAreValid) {
  for (const char* name : {"mta_exporter.toml", "demo.toml"}) {
    const fs::path path = source_dir() / "config" / name;
    if (!fs::exists(path)) continue;
    Config config;
    ASSERT_NO_THROW(config = load_config(path.string())) << path;
    EXPECT_FALSE(config.sources.empty()) << path;
  }
}

TEST(ConfigTest, SiteRule) {
  const Config config = parse_config(R"(
[[rule]]
name = "local-rbl"
cause = "blocklist"
[rule.match]
text = "rejected by our rbl"
direction = "inbound"
)",
                                     kOrigin);
  ASSERT_NE(config.site_rules, nullptr);
  ASSERT_EQ(config.site_rules->size(), 1u);
  EXPECT_EQ((*config.site_rules)[0].name, "local-rbl");
  EXPECT_EQ((*config.site_rules)[0].cause, Cause::blocklist);
}

// --- errors: file, line and key --------------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  const char* text;
  int line;          // the line the message must name
  const char* key;   // the key the message must name
  const char* what;  // a part of the explanation
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorTest, NamesFileLineAndKey) {
  const ErrorCase& c = GetParam();
  const std::string message = error_of(c.text);
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":" + std::to_string(c.line) + ":")) << message;
  EXPECT_THAT(message, HasSubstr(c.key)) << message;
  EXPECT_THAT(message, HasSubstr(c.what)) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ConfigErrorTest,
    ::testing::Values(
        ErrorCase{"unknown_top_level_key", "[web]\nlisten_address = \":9000\"\n\ncolour = \"blue\"\n", 4, "colour",
                  "unknown key"},
        ErrorCase{"unknown_top_level_key_before_tables", "verbose = true\n[web]\n", 1, "verbose", "unknown key"},
        ErrorCase{"unknown_key_in_web", "[web]\nlisten_address = \":9000\"\nlisten_adress = \":9001\"\n", 3,
                  "web.listen_adress", "unknown key"},
        ErrorCase{"unknown_key_in_log", "[log]\nlevel = \"info\"\ncolour = \"json\"\n", 3, "log.colour", "unknown key"},
        ErrorCase{"unknown_key_in_source",
                  "[[source]]\ntype = \"file\"\npath = \"/var/log/mail.log\"\n\n[[source]]\ntype = \"file\"\n"
                  "path = \"/var/log/other.log\"\nstart = \"end\"\n",
                  8, "source[1].start", "unknown key"},
        ErrorCase{"key_of_another_source_type", "[[source]]\ntype = \"stdin\"\npath = \"/var/log/mail.log\"\n", 3,
                  "source[0].path", "unknown key"},
        ErrorCase{"listen_address_empty_list", "[web]\nlisten_address = []\n", 2, "web.listen_address",
                  "non-empty list"},
        ErrorCase{"listen_address_list_of_numbers", "[web]\nlisten_address = [\":1\", 2]\n", 2, "web.listen_address",
                  "must be a string"},
        ErrorCase{"listen_address_bad_in_list", "[web]\nlisten_address = [\":1\", \"x\"]\n", 2, "web.listen_address",
                  "HOST:PORT"},
        ErrorCase{"log_format_unknown", "[log]\nformat = \"text\"\n", 2, "log.format", "logfmt or json"},
        ErrorCase{"listen_address_not_a_string", "[web]\nlisten_address = 9000\n", 2, "web.listen_address",
                  "must be a string"},
        ErrorCase{"loop_not_a_boolean", "[[source]]\ntype = \"replay\"\npath = \"/x.log\"\nloop = \"yes\"\n", 4,
                  "source[0].loop", "must be true or false"},
        ErrorCase{"rotate_wait_seconds_zero",
                  "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nrotate_wait_seconds = 0\n", 4,
                  "source[0].rotate_wait_seconds", "greater than 0 and at most 3600"},
        ErrorCase{"rotate_wait_seconds_on_a_syslog_source",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"udp://127.0.0.1:5514\"\nrotate_wait_seconds = 1\n", 4,
                  "source[0].rotate_wait_seconds", "unknown"},
        ErrorCase{"max_line_length_not_a_number",
                  "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nmax_line_length = \"big\"\n", 4,
                  "source[0].max_line_length", "whole number from 1"},
        ErrorCase{"max_line_length_negative", "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nmax_line_length = -1\n",
                  4, "source[0].max_line_length", "whole number from 1"},
        ErrorCase{"max_frame_size_fraction",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"udp://127.0.0.1:1\"\nmax_frame_size = 0.5\n", 4,
                  "source[0].max_frame_size", "whole number from 1"},
        ErrorCase{"max_line_length_huge",
                  "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nmax_line_length = 100000000000000\n", 4,
                  "source[0].max_line_length", "whole number from 1"},
        ErrorCase{"interval_huge", "[checkpoint]\npath = \"c\"\ninterval_seconds = 1e300\n", 3,
                  "checkpoint.interval_seconds", "at most"},
        ErrorCase{"web_not_a_table", "web = \"yes\"\n", 1, "web", "must be a table"},
        ErrorCase{"source_not_an_array", "[source]\ntype = \"file\"\n", 1, "source", "array of tables"},
        ErrorCase{"bad_type", "[[source]]\ntype = \"socket\"\npath = \"/x.log\"\n", 2, "source[0].type",
                  "must be \"file\", \"stdin\", \"replay\", \"syslog\" or \"journal\""},
        ErrorCase{"bad_start_at", "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nstart_at = \"middle\"\n", 4,
                  "source[0].start_at", "must be \"end\", \"beginning\" or \"checkpoint\""},
        ErrorCase{"checkpoint_without_store",
                  "[[source]]\ntype = \"file\"\npath = \"/x.log\"\nstart_at = \"checkpoint\"\n", 4,
                  "source[0].start_at", "needs a [checkpoint] path"},
        ErrorCase{"bad_syslog_listen", "[[source]]\ntype = \"syslog\"\nlisten = \"http://x:1\"\n", 3,
                  "source[0].listen", "udp://, tcp:// or unix://"},
        ErrorCase{"bad_journal_match", "[[source]]\ntype = \"journal\"\nmatch = [\"postfix\"]\n", 3, "source[0].match",
                  "FIELD=value"},
        ErrorCase{"bad_format", "[[source]]\ntype = \"file\"\npath = \"/x\"\nformat = \"json\"\n", 4,
                  "source[0].format", "plain"},
        ErrorCase{"syslog_key_on_file", "[[source]]\ntype = \"file\"\npath = \"/x\"\nlisten = \"udp://:1\"\n", 4,
                  "source[0].listen", "unknown key"},
        ErrorCase{"bad_listen_address_port", "[web]\ntelemetry_path = \"/m\"\nlisten_address = \":99999\"\n", 3,
                  "web.listen_address", "no valid port"},
        ErrorCase{"bad_listen_address_no_colon", "[web]\nlisten_address = \"localhost\"\n", 2, "web.listen_address",
                  "HOST:PORT"},
        ErrorCase{"bad_telemetry_path", "[web]\ntelemetry_path = \"metrics\"\n", 2, "web.telemetry_path",
                  "must start with '/'"},
        ErrorCase{"bad_log_level", "[log]\nlevel = \"verbose\"\n", 2, "log.level", "must be one of"},
        ErrorCase{"duplicate_source_names",
                  "[[source]]\ntype = \"file\"\npath = \"/var/log/mail.log\"\n\n[[source]]\ntype = \"file\"\n"
                  "path = \"/srv/other/mail.log\"\n",
                  5, "source[1].name", "duplicate source name \"mail.log\""},
        ErrorCase{"duplicate_explicit_names",
                  "[[source]]\ntype = \"stdin\"\nname = \"x\"\n[[source]]\ntype = \"file\"\npath = \"/a.log\"\n"
                  "name = \"x\"\n",
                  4, "source[1].name", "duplicate source name \"x\""},
        ErrorCase{"unknown_key_in_metrics", "[metrics]\nreply_series_limit = 500\nseries_limit = 5\n", 3,
                  "metrics.series_limit", "unknown key"},
        ErrorCase{"metrics_not_a_table", "metrics = 20000\n", 1, "metrics", "must be a table"},
        ErrorCase{"reply_series_limit_not_a_number", "[metrics]\nreply_series_limit = \"many\"\n", 2,
                  "metrics.reply_series_limit", "whole number from 100 to 1000000"},
        ErrorCase{"reply_series_limit_fraction", "[metrics]\nreply_series_limit = 2000.5\n", 2,
                  "metrics.reply_series_limit", "whole number from 100 to 1000000"},
        ErrorCase{"reply_series_limit_too_small", "\n[metrics]\nreply_series_limit = 99\n", 3,
                  "metrics.reply_series_limit", "whole number from 100 to 1000000"},
        ErrorCase{"reply_series_limit_too_large", "[metrics]\nreply_series_limit = 1000001\n", 2,
                  "metrics.reply_series_limit", "whole number from 100 to 1000000"},
        ErrorCase{"rule_unknown_cause", "[[rule]]\nname = \"r\"\ncause = \"weather\"\n[rule.match]\ncode = \"550\"\n",
                  3, "cause", "not a cause"}),
    test::CaseName());

TEST(ConfigSyntaxErrorTest, NamesFileAndLine) {
  const std::string message = error_of("[web]\nlisten_address = \":9000\"\n\n[log\nlevel = \"info\"\n");
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":4:")) << message;
}

TEST(ConfigSyntaxErrorTest, UnterminatedString) {
  const std::string message = error_of("[log]\n\nlevel = \"info\n");
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":3:")) << message;
}

TEST(ConfigSyntaxErrorTest, RedefinedKey) {
  const std::string message = error_of("[log]\nlevel = \"info\"\nlevel = \"debug\"\n");
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":3:")) << message;
  EXPECT_THAT(message, HasSubstr("level")) << message;
}

// Regression (src/config/config.cpp parse_source / parse_source_type, fixed): a [[source]] without `path` (or
// without `type`) throws "FILE: source[0].path: missing ..." with no line, while every other error
// carries "FILE:LINE:COLUMN" (config.hpp documents that format). reader.fail(table, ...) would name
// the line of the [[source]] table.
TEST(ConfigErrorLineTest, MissingPathNamesTheSourceLine) {
  const std::string message =
      error_of("[web]\nlisten_address = \":9000\"\n\n[[source]]\ntype = \"file\"\nname = \"x\"\n");
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":4:")) << message;
  EXPECT_THAT(message, HasSubstr("source[0].path")) << message;
  EXPECT_THAT(message, HasSubstr("missing")) << message;
}

TEST(ConfigErrorLineTest, MissingTypeNamesTheSourceLine) {
  const std::string message = error_of("\n[[source]]\npath = \"/x.log\"\n");
  EXPECT_THAT(message, HasSubstr(std::string(kOrigin) + ":2:")) << message;
  EXPECT_THAT(message, HasSubstr("source[0].type")) << message;
}

TEST(ConfigMissingKeyTest, MissingPathNamesFileAndKey) {
  const std::string message = error_of("[[source]]\ntype = \"replay\"\n");
  EXPECT_THAT(message, HasSubstr(kOrigin)) << message;
  EXPECT_THAT(message, HasSubstr("source[0].path")) << message;
  EXPECT_THAT(message, HasSubstr("missing")) << message;
}

TEST(ConfigMissingKeyTest, MissingTypeNamesFileAndKey) {
  const std::string message = error_of("[[source]]\npath = \"/x.log\"\n");
  EXPECT_THAT(message, HasSubstr(kOrigin)) << message;
  EXPECT_THAT(message, HasSubstr("source[0].type")) << message;
}

// --- guarded syslog listeners: allowed_peers, max_connections_per_peer, tls:// ---------------------------

TEST(ConfigSyslogTest, AllowedPeersAndPerPeerLimit) {
  const Config config = parse_config(R"(
[[source]]
type = "syslog"
name = "tcp"
listen = "tcp://0.0.0.0:601"
allowed_peers = ["127.0.0.0/8", "::1/128", "192.0.2.7"]
max_connections_per_peer = 4

[[source]]
type = "syslog"
name = "udp"
listen = "udp://127.0.0.1:514"
)",
                                     kOrigin);
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_EQ(config.sources[0].allowed_peers, (std::vector<std::string>{"127.0.0.0/8", "::1/128", "192.0.2.7"}));
  EXPECT_EQ(config.sources[0].max_connections_per_peer, 4u);
  EXPECT_TRUE(config.sources[1].allowed_peers.empty());  // every peer
  EXPECT_EQ(config.sources[1].max_connections_per_peer, 16u);
  EXPECT_TRUE(config.sources[1].tls_cert_file.empty());
}

INSTANTIATE_TEST_SUITE_P(
    SyslogErrors, ConfigErrorTest,
    ::testing::Values(
        ErrorCase{"allowed_peers_bad_range",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"tcp://:601\"\nallowed_peers = [\n  \"10.0.0.0/8\",\n"
                  "  \"10.0.0.0/33\",\n]\n",
                  6, "source[0].allowed_peers", "prefix length must be a number from 0 to 32"},
        ErrorCase{"allowed_peers_host_bits",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"udp://:514\"\n"
                  "allowed_peers = [\"10.1.2.3/8\"]\n",
                  4, "source[0].allowed_peers", "the range is 10.0.0.0/8"},
        ErrorCase{"allowed_peers_empty", "[[source]]\ntype = \"syslog\"\nlisten = \"tcp://:601\"\nallowed_peers = []\n",
                  4, "source[0].allowed_peers", "at least one range"},
        ErrorCase{"allowed_peers_not_strings",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"tcp://:601\"\nallowed_peers = \"127.0.0.1\"\n", 4,
                  "source[0].allowed_peers", "array of strings"},
        ErrorCase{"allowed_peers_on_unix",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"unix:///run/x.sock\"\nallowed_peers = [\"::1\"]\n", 4,
                  "source[0].allowed_peers", "unix socket has no network peers"},
        ErrorCase{"max_connections_per_peer_zero",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"tcp://:601\"\nmax_connections_per_peer = 0\n", 4,
                  "source[0].max_connections_per_peer", "whole number from 1"},
        ErrorCase{"tls_key_on_tcp",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"tcp://:601\"\ntls_cert_file = \"c.pem\"\n", 4,
                  "source[0].tls_cert_file", "only for tls:// listeners"},
        ErrorCase{"tls_without_cert", "[[source]]\ntype = \"syslog\"\nlisten = \"tls://:6514\"\ntls_key_file = \"k\"\n",
                  1, "source[0].tls_cert_file", "missing"},
        ErrorCase{"tls_missing_cert_file",
                  "[[source]]\ntype = \"syslog\"\nlisten = \"tls://:6514\"\ntls_key_file = \"/nonexistent/k.pem\"\n"
                  "tls_cert_file = \"/nonexistent/c.pem\"\n",
                  5, "source[0].tls_cert_file", "cannot read /nonexistent/c.pem"},
        ErrorCase{"tls_listen_without_port", "[[source]]\ntype = \"syslog\"\nlisten = \"tls://127.0.0.1\"\n", 3,
                  "source[0].listen", "HOST:PORT"}),
    test::CaseName());

// Certificate files made by openssl for each test, next to the config file that names them.
class ConfigSyslogTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(folder_);
    pki_ = std::make_unique<test::TestPki>(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }
  std::string origin() const { return (folder_ / "mta_exporter.toml").string(); }

  fs::path folder_ = fs::temp_directory_path() / ("mta_config_tls_test_" + std::to_string(::getpid()));
  std::unique_ptr<test::TestPki> pki_;
};

TEST_F(ConfigSyslogTlsTest, FilesAreLoadedAndResolvedAgainstTheConfigFolder) {
  const Config config = parse_config(R"(
[[source]]
type = "syslog"
listen = "tls://127.0.0.1:6514"
tls_cert_file = "server.crt"
tls_key_file = "server.key"
tls_client_ca_file = "ca.crt"
)",
                                     origin());
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].tls_cert_file, pki_->server_cert);
  EXPECT_EQ(config.sources[0].tls_key_file, pki_->server_key);
  EXPECT_EQ(config.sources[0].tls_client_ca_file, pki_->ca_cert);
}

TEST_F(ConfigSyslogTlsTest, AFileThatDoesNotLoadIsNamedWithItsKeyAndLine) {
  const auto error = [&](const std::string& files) {
    try {
      parse_config("[[source]]\ntype = \"syslog\"\nlisten = \"tls://127.0.0.1:6514\"\n" + files, origin());
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    ADD_FAILURE() << "no ConfigError for " << files;
    return std::string();
  };
  // The key of another certificate.
  std::string message = error("tls_cert_file = \"server.crt\"\ntls_key_file = \"client.key\"\n");
  EXPECT_THAT(message, HasSubstr(origin() + ":5:")) << message;
  EXPECT_THAT(message, HasSubstr("source[0].tls_key_file: " + pki_->client_key)) << message;
  // A key where the certificate belongs.
  message = error("tls_cert_file = \"server.key\"\ntls_key_file = \"server.key\"\n");
  EXPECT_THAT(message, HasSubstr(origin() + ":4:")) << message;
  EXPECT_THAT(message, HasSubstr("source[0].tls_cert_file: " + pki_->server_key + " holds no usable PEM certificate"))
      << message;
  // A CA file that is not there.
  message =
      error("tls_cert_file = \"server.crt\"\ntls_key_file = \"server.key\"\ntls_client_ca_file = \"no-ca.crt\"\n");
  EXPECT_THAT(message, HasSubstr(origin() + ":6:")) << message;
  EXPECT_THAT(message, HasSubstr("source[0].tls_client_ca_file: cannot read " + (folder_ / "no-ca.crt").string()))
      << message;
}

// --- [alerting]: the agent's own alert rules and where it sends them -----------------------------------------

TEST(ConfigAlertingTest, OffWithoutTheTable) {
  const Config config = parse_config("", kOrigin);
  EXPECT_FALSE(config.alerting.enabled);
  EXPECT_TRUE(config.alerting.alertmanager_urls.empty());
  EXPECT_TRUE(config.alerting.rules.empty());
}

TEST(ConfigAlertingTest, MinimalTableGivesDefaults) {
  const Config config = parse_config("[alerting]\nalertmanager_urls = [\"http://127.0.0.1:9093\"]\n", kOrigin);
  const AlertingConfig& alerting = config.alerting;
  EXPECT_TRUE(alerting.enabled);
  EXPECT_EQ(alerting.alertmanager_urls, std::vector<std::string>{"http://127.0.0.1:9093"});
  EXPECT_DOUBLE_EQ(alerting.evaluation_interval_seconds, 5);
  EXPECT_DOUBLE_EQ(alerting.resend_interval_seconds, 60);
  EXPECT_EQ(alerting.queue_capacity, 10000u);
  EXPECT_TRUE(alerting.external_labels.empty());
  EXPECT_EQ(alerting.client, AlertmanagerClientConfig{});
  EXPECT_TRUE(alerting.rules.empty());
}

TEST(ConfigAlertingTest, EveryKey) {
  const Config config = parse_config(R"(
[alerting]
alertmanager_urls = ["http://am1:9093", "https://am2.example.org:9093/prefix"]
evaluation_interval = "5s"
resend_interval = "1m"
queue_capacity = 500
timeout = "1m30s"
external_labels = { instance = "mx1.example.org:10154", job = "mta_exporter" }
basic_auth = { username = "agent", password = "secret" }
tls_config = { ca_file = "ca.pem", cert_file = "/pki/client.pem", key_file = "client.key", insecure_skip_verify = true }

[alerting.rules.MtaOutbound5xxShareHigh]
for = "10m"
threshold = 0.2
window = "2m"
severity = "critical"

[alerting.rules.MtaOutboundBlocklisted]
enabled = false

[alerting.rules.MtaTlsFailures]
threshold = 25
)",
                                     kOrigin);
  const AlertingConfig& alerting = config.alerting;
  EXPECT_TRUE(alerting.enabled);
  EXPECT_EQ(alerting.alertmanager_urls,
            (std::vector<std::string>{"http://am1:9093", "https://am2.example.org:9093/prefix"}));
  EXPECT_DOUBLE_EQ(alerting.evaluation_interval_seconds, 5);
  EXPECT_DOUBLE_EQ(alerting.resend_interval_seconds, 60);
  EXPECT_EQ(alerting.queue_capacity, 500u);
  EXPECT_DOUBLE_EQ(alerting.client.timeout_seconds, 90);
  EXPECT_EQ(alerting.external_labels,
            (std::map<std::string, std::string>{{"instance", "mx1.example.org:10154"}, {"job", "mta_exporter"}}));
  EXPECT_EQ(alerting.client.basic_auth_username, "agent");
  EXPECT_EQ(alerting.client.basic_auth_password, "secret");
  EXPECT_EQ(alerting.client.bearer_token, "");
  EXPECT_EQ(alerting.client.ca_file, "/etc/mta_exporter/ca.pem");  // relative to the config's folder
  EXPECT_EQ(alerting.client.cert_file, "/pki/client.pem");
  EXPECT_EQ(alerting.client.key_file, "/etc/mta_exporter/client.key");
  EXPECT_TRUE(alerting.client.insecure_skip_verify);

  ASSERT_EQ(alerting.rules.size(), 3u);
  const AlertRuleOverride& share = alerting.rules.at("MtaOutbound5xxShareHigh");
  EXPECT_EQ(share.enabled, std::nullopt);
  EXPECT_EQ(share.for_seconds, 600);
  EXPECT_EQ(share.threshold, 0.2);
  EXPECT_EQ(share.window_seconds, 120);
  EXPECT_EQ(share.severity, "critical");
  EXPECT_EQ(alerting.rules.at("MtaOutboundBlocklisted"), AlertRuleOverride{.enabled = false});
  EXPECT_EQ(alerting.rules.at("MtaTlsFailures").threshold, 25);  // an integer where a number is expected
}

TEST(ConfigAlertingTest, BearerTokenAndTimeZero) {
  const Config config = parse_config(R"(
[alerting]
alertmanager_urls = ["http://am:9093"]
authorization = { type = "Bearer", credentials = "token-1" }
[alerting.rules.MtaAuthBruteForce]
for = "0"
)",
                                     kOrigin);
  EXPECT_EQ(config.alerting.client.bearer_token, "token-1");
  EXPECT_EQ(config.alerting.client.basic_auth_username, "");
  EXPECT_EQ(config.alerting.rules.at("MtaAuthBruteForce").for_seconds, 0);
}

// Secret files are read at start, relative to the config's folder, first line only.
class ConfigAlertingSecretTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(folder_); }
  void TearDown() override { fs::remove_all(folder_); }
  std::string origin() const { return (folder_ / "mta_exporter.toml").string(); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(folder_ / name) << text; }

  fs::path folder_ = fs::temp_directory_path() / ("mta_config_alerting_test_" + std::to_string(::getpid()));
};

TEST_F(ConfigAlertingSecretTest, PasswordAndCredentialsFiles) {
  write("password", "pass word\nsecond line\n");
  write("token", "tok3n\n");
  Config config = parse_config(
      "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n"
      "basic_auth = { username = \"agent\", password_file = \"password\" }\n",
      origin());
  EXPECT_EQ(config.alerting.client.basic_auth_password, "pass word");
  config = parse_config(
      "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nauthorization = { credentials_file = \"token\" }\n",
      origin());
  EXPECT_EQ(config.alerting.client.bearer_token, "tok3n");
}

TEST_F(ConfigAlertingSecretTest, MissingSecretFileIsNamedWithItsKeyAndLine) {
  try {
    parse_config(
        "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n\n"
        "basic_auth = { username = \"agent\", password_file = \"nope\" }\n",
        origin());
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr(origin() + ":4:"));
    EXPECT_THAT(error.what(),
                HasSubstr("alerting.basic_auth.password_file: cannot read " + (folder_ / "nope").string()));
  }
}

INSTANTIATE_TEST_SUITE_P(
    AlertingErrors, ConfigErrorTest,
    ::testing::Values(
        ErrorCase{"alerting_not_a_table", "alerting = true\n", 1, "alerting", "must be a table"},
        ErrorCase{"alertmanager_urls_missing", "\n[alerting]\nevaluation_interval = \"5s\"\n", 2,
                  "alerting.alertmanager_urls", "non-empty list"},
        ErrorCase{"alertmanager_urls_empty", "[alerting]\nalertmanager_urls = []\n", 2, "alerting.alertmanager_urls",
                  "non-empty list"},
        ErrorCase{"alertmanager_urls_not_a_list", "[alerting]\nalertmanager_urls = \"http://am:9093\"\n", 2,
                  "alerting.alertmanager_urls", "non-empty list"},
        ErrorCase{"alertmanager_url_not_http", "[alerting]\nalertmanager_urls = [\"http://am:9093\", \"am:9093\"]\n", 2,
                  "alerting.alertmanager_urls", "http:// or https://"},
        ErrorCase{"alertmanager_url_ftp", "[alerting]\nalertmanager_urls = [\n  \"ftp://am.example.org:9093\",\n]\n", 3,
                  "alerting.alertmanager_urls", "http:// or https://"},
        ErrorCase{"alertmanager_url_with_space", "[alerting]\nalertmanager_urls = [\"http://am 1:9093\"]\n", 2,
                  "alerting.alertmanager_urls", "http:// or https://"},
        ErrorCase{"evaluation_interval_not_a_duration",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n\nevaluation_interval = \"5 minutes\"\n", 4,
                  "alerting.evaluation_interval", "must be a duration"},
        ErrorCase{"evaluation_interval_a_number",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nevaluation_interval = 5\n", 3,
                  "alerting.evaluation_interval", "must be a duration"},
        ErrorCase{"evaluation_interval_too_short",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nevaluation_interval = \"500ms\"\n", 3,
                  "alerting.evaluation_interval", "from 1s"},
        ErrorCase{"resend_interval_unit",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nresend_interval = \"1M\"\n", 3,
                  "alerting.resend_interval", "must be a duration"},
        ErrorCase{"unknown_key_in_alerting", "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nresend = \"1m\"\n",
                  3, "alerting.resend", "unknown key"},
        ErrorCase{"unknown_rule",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n\n[alerting.rules.MtaNoSuchAlert]\n"
                  "for = \"1m\"\n",
                  4, "alerting.rules.MtaNoSuchAlert", "is not a rule the agent evaluates"},
        ErrorCase{"prometheus_only_rule",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaExporterDown]\n"
                  "enabled = false\n",
                  3, "alerting.rules.MtaExporterDown", "is not a rule the agent evaluates"},
        ErrorCase{"unknown_key_in_rule",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "threshold = 5\nfour = \"1m\"\n",
                  5, "alerting.rules.MtaTlsFailures.four", "unknown key"},
        ErrorCase{"rule_threshold_negative",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "threshold = -1\n",
                  4, "alerting.rules.MtaTlsFailures.threshold", "at least 0"},
        ErrorCase{"rule_threshold_text",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "threshold = \"10\"\n",
                  4, "alerting.rules.MtaTlsFailures.threshold", "must be a number"},
        ErrorCase{"rule_for_not_a_duration",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "for = \"ten minutes\"\n",
                  4, "alerting.rules.MtaTlsFailures.for", "must be a duration"},
        ErrorCase{"rule_window_zero",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "window = \"0s\"\n",
                  4, "alerting.rules.MtaTlsFailures.window", "must be a duration"},
        ErrorCase{"rule_enabled_not_a_boolean",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "enabled = \"no\"\n",
                  4, "alerting.rules.MtaTlsFailures.enabled", "true or false"},
        ErrorCase{"rule_severity_empty",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.rules.MtaTlsFailures]\n"
                  "severity = \"\"\n",
                  4, "alerting.rules.MtaTlsFailures.severity", "must not be empty"},
        ErrorCase{"external_label_bad_name",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n[alerting.external_labels]\n"
                  "region = \"eu\"\n\"data-center\" = \"fra1\"\n",
                  5, "alerting.external_labels.data-center", "is not a label name"},
        ErrorCase{"external_label_reserved_name",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nexternal_labels = { __name__ = \"x\" }\n", 3,
                  "alerting.external_labels.__name__", "is not a label name"},
        ErrorCase{"external_label_alertname",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nexternal_labels = { alertname = \"x\" }\n", 3,
                  "alerting.external_labels.alertname", "is set by each rule"},
        ErrorCase{"external_label_not_a_string",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nexternal_labels = { replica = 2 }\n", 3,
                  "alerting.external_labels.replica", "must be a string"},
        ErrorCase{"basic_auth_and_authorization",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n"
                  "[alerting.basic_auth]\nusername = \"agent\"\npassword = \"p\"\n"
                  "[alerting.authorization]\ncredentials = \"t\"\n",
                  6, "alerting.authorization", "give basic_auth or authorization, not both"},
        ErrorCase{"basic_auth_without_username",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nbasic_auth = { password = \"p\" }\n", 3,
                  "alerting.basic_auth.username", "missing"},
        ErrorCase{"password_and_password_file",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n"
                  "basic_auth = { username = \"u\", password = \"p\", password_file = \"f\" }\n",
                  3, "alerting.basic_auth.password_file", "not both"},
        ErrorCase{"authorization_not_bearer",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\n"
                  "authorization = { type = \"Basic\", credentials = \"t\" }\n",
                  3, "alerting.authorization.type", "must be \"Bearer\""},
        ErrorCase{"tls_cert_without_key",
                  "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\ntls_config = { cert_file = \"c.pem\" }\n", 3,
                  "alerting.tls_config.key_file", "go together"},
        ErrorCase{"queue_capacity_zero", "[alerting]\nalertmanager_urls = [\"http://am:9093\"]\nqueue_capacity = 0\n",
                  3, "alerting.queue_capacity", "whole number from 1"}),
    test::CaseName());

}  // namespace
}  // namespace mta
