#include "http/web_config_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_folder.hpp"

namespace mta {
namespace {

constexpr const char* kHash = "$2b$10$ymKgFdsxHVvQY6giz953QumbCikcp2/vfvd.SZXG.L/bHpac1A6Uq";

class WebConfigFileTest : public test::TempFolderTest {
 protected:
  WebConfigFileTest() : TempFolderTest("web_config_file") {}

  std::string write(const std::string& text) {
    const std::string file = path("web.yml");
    std::ofstream(file) << text;
    return file;
  }
};

TEST_F(WebConfigFileTest, ReadsEveryKeyWithPathsFromTheFilesFolder) {
  const WebConfigFile config = load_web_config_file(write(std::string(R"(
tls_server_config:
  cert_file: certs/server.crt
  key_file: /etc/keys/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: )") + kHash + "\n"));
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->cert_file, (folder_ / "certs/server.crt").string());
  EXPECT_EQ(config.tls->key_file, "/etc/keys/server.key");
  EXPECT_EQ(config.tls->client_ca_file, (folder_ / "ca.crt").string());
  EXPECT_EQ(config.tls->client_auth, ClientAuth::require_and_verify);
  EXPECT_EQ(config.tls->min_version, TlsVersion::tls13);
  EXPECT_EQ(config.tls->max_version, TlsVersion::tls13);
  EXPECT_EQ(config.tls->cipher_suites,
            (std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"}));
  EXPECT_FALSE(config.tls->prefer_server_cipher_suites);
  EXPECT_EQ(config.tls->curve_preferences, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_EQ(config.headers, (std::vector<std::pair<std::string, std::string>>{
                                {"X-Frame-Options", "deny"}, {"Strict-Transport-Security", "max-age=31536000"}}));
  EXPECT_EQ(config.basic_auth_users, (std::map<std::string, std::string>{{"prometheus", kHash}}));
}

TEST_F(WebConfigFileTest, AnEmptyFileOrTlsWithoutCertificatesIsPlainHttp) {
  EXPECT_FALSE(load_web_config_file(write("")).tls);
  EXPECT_FALSE(load_web_config_file(write("tls_server_config:\n  min_version: TLS12\n")).tls);
  const WebConfigFile defaults = load_web_config_file(write("tls_server_config:\n  cert_file: a\n  key_file: b\n"));
  ASSERT_TRUE(defaults.tls);
  EXPECT_EQ(defaults.tls->client_auth, ClientAuth::none);
  EXPECT_EQ(defaults.tls->min_version, TlsVersion::tls12);
  EXPECT_FALSE(defaults.tls->max_version);
}

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* where;  // "LINE: KEY" as the message gives it
  const char* problem;
};

class WebConfigFileErrorTest : public WebConfigFileTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(WebConfigFileErrorTest, NamesFileLineKeyAndProblem) {
  const std::string file = write(GetParam().yaml);
  try {
    load_web_config_file(file);
    FAIL() << "no error for " << GetParam().yaml;
  } catch (const WebConfigError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find(file + ":" + GetParam().where), 0u) << message;
    EXPECT_NE(message.find(GetParam().problem), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, WebConfigFileErrorTest,
    ::testing::Values(
        ErrorCase{"unknown_top_level_key", "basic_auth_user:\n  a: b\n", "1: basic_auth_user", "unknown key"},
        ErrorCase{"unknown_tls_key", "tls_server_config:\n  cert_file: a\n  key_file: b\n  ca_file: c\n",
                  "4: tls_server_config.ca_file", "unknown key"},
        ErrorCase{"missing_key_file", "tls_server_config:\n  cert_file: a\n", "2: tls_server_config.key_file",
                  "missing"},
        ErrorCase{"missing_cert_file", "tls_server_config:\n  key_file: a\n", "2: tls_server_config.cert_file",
                  "missing"},
        ErrorCase{"bad_client_auth_type",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCert\n",
                  "4: tls_server_config.client_auth_type", "RequireAndVerifyClientCert"},
        ErrorCase{"verify_without_ca",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
                  "2: tls_server_config.client_ca_file", "missing"},
        ErrorCase{"ca_without_client_auth", "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
                  "4: tls_server_config.client_ca_file", "client_auth_type"},
        ErrorCase{"bad_min_version", "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS1.2\n",
                  "4: tls_server_config.min_version", "TLS12"},
        ErrorCase{"max_below_min",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
                  "5: tls_server_config.max_version", "lower than min_version"},
        ErrorCase{"unknown_cipher_suite",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n",
                  "5: tls_server_config.cipher_suites", "TLS_AES_128_GCM_SHA256"},
        ErrorCase{"cipher_suites_not_a_list",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: TLS_RSA_WITH_AES_128_CBC_SHA\n",
                  "4: tls_server_config.cipher_suites", "list"},
        ErrorCase{"unknown_curve", "tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n",
                  "4: tls_server_config.curve_preferences", "CurveP256"},
        ErrorCase{"prefer_not_a_boolean",
                  "tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: maybe\n",
                  "4: tls_server_config.prefer_server_cipher_suites", "true or false"},
        ErrorCase{"header_not_allowed", "http_server_config:\n  headers:\n    Server: mta\n",
                  "3: http_server_config.headers.Server", "cannot be configured"},
        ErrorCase{"header_value_not_allowed", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
                  "3: http_server_config.headers.X-Frame-Options", "deny"},
        ErrorCase{"plaintext_password", "basic_auth_users:\n  prometheus: secret\n", "2: basic_auth_users.prometheus",
                  "bcrypt"},
        ErrorCase{"users_not_a_mapping", "basic_auth_users:\n  - prometheus\n", "2: basic_auth_users", "mapping"},
        ErrorCase{"yaml_syntax", "tls_server_config:\n  cert_file: [a\n", "3:", ""},
        ErrorCase{"top_level_not_a_mapping", "- a\n", "1: ", "mapping"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(WebConfigFileTest, AMissingFileIsNamed) {
  try {
    load_web_config_file(path("absent.yml"));
    FAIL();
  } catch (const WebConfigError& error) {
    EXPECT_EQ(std::string(error.what()), path("absent.yml") + ": cannot read the web configuration file");
  }
}

}  // namespace
}  // namespace mta
