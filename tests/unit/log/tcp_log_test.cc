#include "proxy/log/tcp_log.h"

#include <stdlib.h>
#include <time.h>

#include "gtest/gtest.h"

namespace tender {
namespace {

TEST(TcpLogTest, HaproxyFormat) {
  setenv("TZ", "UTC", 1);
  tzset();
  SocketAddress client = *ResolveAddress("10.0.1.2", 33313);
  std::string fe = "fnt", be = "bck", srv = "srv1";
  TcpLogRecord r;
  r.client = &client;
  r.accept_unix_ms = 1233922371443;  // 06/Feb/2009:12:12:51.443 UTC
  r.frontend = &fe;
  r.backend = &be;
  r.server = &srv;
  r.queue_ms = 0;
  r.connect_ms = 0;
  r.total_ms = 5007;
  r.bytes_to_client = 212;
  r.retries = 3;
  char out[512];
  size_t n = FormatTcpLog(r, out, sizeof(out));
  EXPECT_EQ(std::string(out, n), "10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0");
}

TEST(TcpLogTest, NoServerAndRedispatch) {
  setenv("TZ", "UTC", 1);
  tzset();
  SocketAddress client = *ResolveAddress("::ffff:192.0.2.9", 1);
  std::string fe = "f", be = "", srv = "";
  TcpLogRecord r;
  r.client = &client;
  r.frontend = &fe;
  r.backend = &be;
  r.server = &srv;
  r.termination[0] = 'S';
  r.termination[1] = 'C';
  r.retries = 1;
  r.redispatched = true;
  char out[512];
  size_t n = FormatTcpLog(r, out, sizeof(out));
  EXPECT_EQ(std::string(out, n), "192.0.2.9:1 [01/Jan/1970:00:00:00.000] f -/<NOSRV> -1/-1/0 0 SC 0/0/0/0/+1 0/0");
}

}  // namespace
}  // namespace tender
