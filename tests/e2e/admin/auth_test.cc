// Admin service access control: bearer tokens (admin and read-only) and mutual TLS.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

namespace pb = ::tender::admin::v1;

std::string TmpDir() { return std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp"; }

std::string WriteFile(const std::string& name, const std::string& content) {
  std::string path = TmpDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr char kAdminToken[] = "admin-0123456789abcdef";
constexpr char kReadToken[] = "read-0123456789abcdef";

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>("s", TestServer::Behaviour::kSendName);
    admin_port_ = FreePort();
    std::string admin_file = WriteFile("admin.token", std::string(kAdminToken) + "\n");
    std::string read_file = WriteFile("read.token", kReadToken);
    ASSERT_TRUE(tender_.Start(absl::StrCat(
        "global\n admin grpc 127.0.0.1:", admin_port_, " admin-token-file ", admin_file, " read-token-file ", read_file,
        "\ndefaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"
        "listen svc\n bind 127.0.0.1:", FreePort(), "\n server s 127.0.0.1:", server_->port(), "\n")))
        << tender_.output();
    stub_ = pb::AdminService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port_), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Info(const std::string& token) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    pb::Info info;
    return stub_->GetInfo(&ctx, pb::GetInfoRequest(), &info);
  }

  grpc::Status Weight(const std::string& token) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    pb::SetServerWeightRequest req;
    req.set_backend("svc");
    req.set_server("s");
    req.set_weight(5);
    pb::Server resp;
    return stub_->SetServerWeight(&ctx, req, &resp);
  }

  std::unique_ptr<TestServer> server_;
  int admin_port_ = 0;
  TenderProcess tender_;
  std::unique_ptr<pb::AdminService::Stub> stub_;
};

TEST_F(TokenTest, NoTokenIsUnauthenticated) {
  grpc::Status s = Info("");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "missing 'authorization: Bearer <token>'");
}

TEST_F(TokenTest, WrongTokenIsUnauthenticated) {
  EXPECT_EQ(Info("admin-0123456789abcdeX").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Info("admin").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Weight("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TokenTest, ReadTokenReadsButCannotWrite) {
  EXPECT_TRUE(Info(kReadToken).ok());
  grpc::Status s = Weight(kReadToken);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(), "this RPC needs the admin token");
  EXPECT_TRUE(tender_.WaitForOutput("token=read rpc=SetServerWeight backend=svc server=s weight=5 result=7 "
                                    "this RPC needs the admin token"))
      << tender_.output();
}

TEST_F(TokenTest, AdminTokenDoesEverythingAndIsAudited) {
  EXPECT_TRUE(Info(kAdminToken).ok());
  EXPECT_TRUE(Weight(kAdminToken).ok());
  EXPECT_TRUE(tender_.WaitForOutput("admin audit: peer=ipv4:127.0.0.1:")) << tender_.output();
  EXPECT_TRUE(tender_.WaitForOutput("token=admin rpc=SetServerWeight backend=svc server=s weight=5 result=OK"))
      << tender_.output();
}

TEST(TokenFileTest, ShortTokensAreRefusedAtStart) {
  std::string file = WriteFile("short.token", "1234");
  TenderProcess tender;
  EXPECT_FALSE(tender.Start(absl::StrCat("global\n admin grpc 127.0.0.1:", FreePort(), " admin-token-file ", file,
                                         "\ndefaults\n mode tcp\n timeout client 1s\n timeout connect 1s\n timeout server 1s\n"
                                         "listen svc\n bind 127.0.0.1:", FreePort(), "\n server s 127.0.0.1:1\n")));
  EXPECT_NE(tender.output().find("the token must be at least 16 characters"), std::string::npos) << tender.output();
}

// Certificates made with the real openssl command line.
class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(MakeCertificates(TmpDir(), &error)) << error;
  }

  void StartTender(bool require_client_cert) {
    std::string d = TmpDir();
    admin_port_ = FreePort();
    ASSERT_TRUE(tender_.Start(absl::StrCat(
        "global\n admin grpc 127.0.0.1:", admin_port_, " crt ", d, "/server.pem key ", d, "/server.key",
        require_client_cert ? absl::StrCat(" ca-file ", d, "/ca.pem") : "",
        "\ndefaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"
        "listen svc\n bind 127.0.0.1:", FreePort(), "\n server s 127.0.0.1:1\n")))
        << tender_.output();
  }

  grpc::Status Info(bool with_client_cert) {
    std::string d = TmpDir();
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFile(d + "/ca.pem");
    if (with_client_cert) {
      tls.pem_private_key = ReadFile(d + "/client.key");
      tls.pem_cert_chain = ReadFile(d + "/client.pem");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", admin_port_), grpc::SslCredentials(tls), args);
    auto stub = pb::AdminService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pb::Info info;
    return stub->GetInfo(&ctx, pb::GetInfoRequest(), &info);
  }

  int admin_port_ = 0;
  TenderProcess tender_;
};

TEST_F(MutualTlsTest, ClientCertificateRequired) {
  StartTender(/*require_client_cert=*/true);
  EXPECT_TRUE(Info(/*with_client_cert=*/true).ok());
  grpc::Status s = Info(/*with_client_cert=*/false);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(MutualTlsTest, ServerTlsOnly) {
  StartTender(/*require_client_cert=*/false);
  EXPECT_TRUE(Info(/*with_client_cert=*/false).ok());
}

}  // namespace
}  // namespace tender::testing
