#include "proxy/net/proxy_protocol.h"

#include "gtest/gtest.h"

namespace tender {
namespace {

SocketAddress Addr(const std::string& host, int port) { return *ResolveAddress(host, port); }

using Status = ProxyHeader::Status;

TEST(ProxyProtocolTest, EncodeV1) {
  EXPECT_EQ(EncodeProxyV1(Addr("192.0.2.1", 56324), Addr("10.0.0.1", 443)),
            "PROXY TCP4 192.0.2.1 10.0.0.1 56324 443\r\n");
  EXPECT_EQ(EncodeProxyV1(Addr("2001:db8::1", 1000), Addr("::1", 80)), "PROXY TCP6 2001:db8::1 ::1 1000 80\r\n");
  EXPECT_EQ(EncodeProxyV1(Addr("::ffff:192.0.2.1", 5), Addr("10.0.0.1", 6)), "PROXY TCP4 192.0.2.1 10.0.0.1 5 6\r\n");
  EXPECT_EQ(EncodeProxyV1(Addr("192.0.2.1", 5), Addr("::1", 6)), "PROXY UNKNOWN\r\n");
}

TEST(ProxyProtocolTest, EncodeV2IPv4Bytes) {
  std::string h = EncodeProxyV2(Addr("192.0.2.1", 0x1234), Addr("10.0.0.1", 443));
  const std::string expected("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc0\x00\x02\x01\x0a\x00\x00\x01\x12\x34\x01\xbb", 28);
  EXPECT_EQ(h, expected);
}

TEST(ProxyProtocolTest, RoundTripsBothVersionsAndFamilies) {
  for (auto [src, dst] : {std::make_pair(Addr("192.0.2.1", 1), Addr("198.51.100.2", 65535)),
                          std::make_pair(Addr("2001:db8::7", 40000), Addr("2001:db8::8", 8443))}) {
    for (const std::string& enc : {EncodeProxyV1(src, dst), EncodeProxyV2(src, dst)}) {
      ProxyHeader h = ParseProxyHeader(enc + "GET / HTTP/1.1\r\n");
      ASSERT_EQ(h.status, Status::kComplete) << h.error;
      EXPECT_EQ(h.length, enc.size());
      EXPECT_EQ(h.source.ToString(), src.ToString());
      EXPECT_EQ(h.destination.ToString(), dst.ToString());
      EXPECT_FALSE(h.local);
    }
  }
}

TEST(ProxyProtocolTest, EveryPrefixIsIncomplete) {
  for (const std::string& enc : {EncodeProxyV1(Addr("192.0.2.1", 1), Addr("10.0.0.1", 2)),
                                 EncodeProxyV2(Addr("2001:db8::7", 1), Addr("2001:db8::8", 2))}) {
    for (size_t n = 0; n < enc.size(); ++n) {
      EXPECT_EQ(ParseProxyHeader(enc.substr(0, n)).status, Status::kIncomplete) << n;
    }
  }
}

TEST(ProxyProtocolTest, LocalAndUnknown) {
  EXPECT_TRUE(ParseProxyHeader("PROXY UNKNOWN\r\n").local);
  EXPECT_TRUE(ParseProxyHeader("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n").local);
  std::string local("\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00", 16);
  ProxyHeader h = ParseProxyHeader(local);
  EXPECT_EQ(h.status, Status::kComplete);
  EXPECT_TRUE(h.local);
  EXPECT_EQ(h.length, 16u);
}

TEST(ProxyProtocolTest, SkipsV2Tlvs) {
  std::string h = EncodeProxyV2(Addr("192.0.2.1", 1), Addr("10.0.0.1", 2));
  h[15] = 12 + 7;                          // addresses + one TLV of 4 bytes value
  h += std::string("\x04\x00\x04" "abcd", 7);  // PP2_TYPE_NOOP
  ProxyHeader p = ParseProxyHeader(h + "rest");
  ASSERT_EQ(p.status, Status::kComplete);
  EXPECT_EQ(p.length, h.size());
  EXPECT_EQ(p.source.ToString(), "192.0.2.1:1");
}

struct BadCase {
  const char* name;
  std::string bytes;
};

TEST(ProxyProtocolTest, MalformedInputsAreInvalid) {
  std::string v2 = EncodeProxyV2(Addr("192.0.2.1", 1), Addr("10.0.0.1", 2));
  std::string bad_version = v2, bad_command = v2, bad_family = v2, short_block = v2, huge = v2;
  bad_version[12] = '\x31';
  bad_command[12] = '\x22';
  bad_family[13] = '\x31';
  short_block[15] = 4;
  huge[14] = '\x10';  // 4096 + 12 bytes of payload
  const BadCase cases[] = {
      {"plain http", "GET / HTTP/1.1\r\n"},
      {"lowercase", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"},
      {"unknown protocol", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"},
      {"missing field", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"},
      {"extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"},
      {"double space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"},
      {"bad v4", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"},
      {"v6 in TCP4", "PROXY TCP4 ::1 ::2 1 2\r\n"},
      {"v4 in TCP6", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n"},
      {"port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"},
      {"port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"},
      {"port sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n"},
      {"bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"},
      {"too long", "PROXY TCP4 " + std::string(120, '1')},
      {"v2 version", bad_version},
      {"v2 command", bad_command},
      {"v2 family", bad_family},
      {"v2 short address block", short_block},
      {"v2 too large", huge},
  };
  for (const BadCase& c : cases) {
    ProxyHeader h = ParseProxyHeader(c.bytes);
    EXPECT_EQ(h.status, Status::kInvalid) << c.name;
    EXPECT_FALSE(h.error.empty()) << c.name;
  }
}

}  // namespace
}  // namespace tender

namespace tender {
namespace {

// Found by tools/fuzz: a TCP6 line must spell an IPv4-mapped address as IPv6.
TEST(ProxyProtocolTest, MappedAddressInATcp6LineStaysIPv6) {
  std::string v1 = EncodeProxyV1(Addr("2001:db8::1", 1), Addr("::ffff:192.0.2.9", 2));
  EXPECT_EQ(v1, "PROXY TCP6 2001:db8::1 ::ffff:192.0.2.9 1 2\r\n");
  ProxyHeader h = ParseProxyHeader(v1);
  EXPECT_EQ(h.status, ProxyHeader::Status::kComplete);
}

}  // namespace
}  // namespace tender
