// Listening sockets: what accepted connections inherit from ListenOn's options.
#include "proxy/net/socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace tender {
namespace {

// Accepts one loopback connection on a listener made with `delay_first_ack`; returns
// TCP_QUICKACK as read on the accepted socket (0: it starts with delayed ACKs).
int QuickAckOfAcceptedSocket(bool delay_first_ack) {
  SocketAddress any;
  auto* in = reinterpret_cast<sockaddr_in*>(&any.storage);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  any.length = sizeof(sockaddr_in);
  absl::StatusOr<int> listener = ListenOn(any, 16, delay_first_ack);
  EXPECT_TRUE(listener.ok()) << listener.status();
  if (!listener.ok()) return -1;
  sockaddr_in bound = {};
  socklen_t length = sizeof(bound);
  getsockname(*listener, reinterpret_cast<sockaddr*>(&bound), &length);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0);
  pollfd ready = {*listener, POLLIN, 0};
  EXPECT_EQ(poll(&ready, 1, 10000), 1);
  int accepted = accept4(*listener, nullptr, nullptr, SOCK_CLOEXEC);
  EXPECT_GE(accepted, 0);
  int value = -1;
  socklen_t size = sizeof(value);
  EXPECT_EQ(getsockopt(accepted, IPPROTO_TCP, TCP_QUICKACK, &value, &size), 0);
  close(accepted);
  close(client);
  close(*listener);
  return value;
}

TEST(SocketTest, SmartAcceptListenerHandsOutConnectionsWithDelayedAcks) {
  // HAProxy's `option tcp-smart-accept`: the request is acknowledged by the response. The
  // option must be set after listen(2), which resets it: this fails if it is set before.
  EXPECT_EQ(QuickAckOfAcceptedSocket(/*delay_first_ack=*/true), 0);
}

TEST(SocketTest, PlainListenerHandsOutConnectionsInQuickAckMode) {
  EXPECT_EQ(QuickAckOfAcceptedSocket(/*delay_first_ack=*/false), 1);
}

}  // namespace
}  // namespace tender
