// HTTPS to Consul: the agent's API behind TLS (HAProxy 2.6 from Debian terminates TLS in
// front of the Consul stand-in), with the CA from `ca-file`, and a refusal when the
// certificate does not verify.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/consul/consul_standin.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

std::string TmpDir() { return std::getenv("TEST_TMPDIR"); }

// HAProxy terminating TLS on a socket the test already listens on (`bind fd@N`), so there
// is no readiness race.
class TlsFront {
 public:
  explicit TlsFront(int backend_port) {
    fd_ = ListenLoopback(0, 64, &port_, /*inheritable=*/true);
    std::string cfg = absl::StrCat(TmpDir(), "/tls-front.cfg");
    std::ofstream(cfg) << "global\n  log stderr format raw local0 err\n"
                          "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n"
                          "frontend tls\n  bind fd@" << fd_ << " ssl crt " << TmpDir() << "/server-bundle.pem\n"
                          "  default_backend consul\n"
                          "backend consul\n  server standin 127.0.0.1:" << backend_port << "\n";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("haproxy", "haproxy", "-db", "-f", cfg.c_str(), nullptr);
      _exit(127);
    }
  }
  ~TlsFront() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_, port_;
  pid_t pid_;
};

class ConsulTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(MakeCertificates(TmpDir(), &error)) << error;
  }
};

std::string Config(int tls_port, int port, const std::string& ca) {
  return absl::StrCat("global\n nbthread 1\n"
                      "consul secure\n address https://127.0.0.1:", tls_port, "\n ca-file ", ca, "\n wait 2s\n"
                      "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"
                      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend web\n"
                      "backend web\n server-template web 1-2 consul@secure/web\n");
}

TEST_F(ConsulTlsTest, DiscoveryOverHttpsWithACaFile) {
  ConsulStandIn consul;
  TestServer a("a", TestServer::Behaviour::kSendName);
  ConsulInstance i;
  i.node = "node1";
  i.id = "web-1";
  i.service = "web";
  i.port = a.port();
  consul.Register(i);
  TlsFront front(consul.port());
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(front.port(), port, TmpDir() + "/ca.pem"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
  EXPECT_GE(consul.health_requests(), 1);
}

TEST_F(ConsulTlsTest, AnUntrustedCertificateIsRefused) {
  ConsulStandIn consul;
  TlsFront front(consul.port());
  // A CA that did not sign the server's certificate: the client's own certificate.
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(front.port(), port, TmpDir() + "/client.pem"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("TLS: certificate verify failed")) << tender.output();
  EXPECT_EQ(consul.health_requests(), 0);
}

}  // namespace
}  // namespace tender::testing
