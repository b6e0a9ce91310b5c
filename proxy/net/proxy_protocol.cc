#include "proxy/net/proxy_protocol.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tender {
namespace {

constexpr char kV2Signature[12] = {'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q', 'U', 'I', 'T', '\n'};
constexpr size_t kV1Max = 107;

// Both addresses as IPv4 (mapped IPv6 counts) or both as IPv6; family 0 when they differ.
int CommonFamily(const SocketAddress& a, const SocketAddress& b, bool* mapped) {
  auto is_v4 = [](const SocketAddress& s) {
    if (s.family() == AF_INET) return true;
    if (s.family() != AF_INET6) return false;
    return static_cast<bool>(IN6_IS_ADDR_V4MAPPED(&reinterpret_cast<const sockaddr_in6*>(&s.storage)->sin6_addr));
  };
  *mapped = false;
  if (is_v4(a) && is_v4(b)) {
    *mapped = a.family() == AF_INET6 || b.family() == AF_INET6;
    return AF_INET;
  }
  if (a.family() == AF_INET6 && b.family() == AF_INET6) return AF_INET6;
  return 0;
}

void AppendV4(const SocketAddress& s, std::string* out) {
  const unsigned char* p;
  if (s.family() == AF_INET) {
    p = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&s.storage)->sin_addr);
  } else {
    p = reinterpret_cast<const sockaddr_in6*>(&s.storage)->sin6_addr.s6_addr + 12;
  }
  out->append(reinterpret_cast<const char*>(p), 4);
}

void AppendPort(int port, std::string* out) {
  out->push_back(static_cast<char>(port >> 8));
  out->push_back(static_cast<char>(port & 0xff));
}

SocketAddress MakeV4(const unsigned char* addr, int port) {
  SocketAddress s;
  auto* in = reinterpret_cast<sockaddr_in*>(&s.storage);
  in->sin_family = AF_INET;
  memcpy(&in->sin_addr, addr, 4);
  in->sin_port = htons(port);
  s.length = sizeof(sockaddr_in);
  return s;
}

SocketAddress MakeV6(const unsigned char* addr, int port) {
  SocketAddress s;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.storage);
  in6->sin6_family = AF_INET6;
  memcpy(&in6->sin6_addr, addr, 16);
  in6->sin6_port = htons(port);
  s.length = sizeof(sockaddr_in6);
  return s;
}

ProxyHeader Invalid(std::string why) {
  ProxyHeader h;
  h.status = ProxyHeader::Status::kInvalid;
  h.error = std::move(why);
  return h;
}

// Decimal port with no sign, no leading zero (except "0") and at most 65535.
bool ParseV1Port(absl::string_view text, int* port) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, port) && *port <= 65535;
}

ProxyHeader ParseV1(absl::string_view data) {
  size_t crlf = data.find("\r\n");
  if (crlf == absl::string_view::npos) {
    if (data.size() >= kV1Max) return Invalid("v1 header longer than 107 bytes");
    if (data.find('\n') != absl::string_view::npos) return Invalid("v1 header line not ended by CRLF");
    return ProxyHeader{};
  }
  if (crlf + 2 > kV1Max) return Invalid("v1 header longer than 107 bytes");
  absl::string_view line = data.substr(0, crlf);
  std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
  ProxyHeader h;
  h.length = crlf + 2;
  if (f.size() >= 2 && f[0] == "PROXY" && f[1] == "UNKNOWN") {
    h.status = ProxyHeader::Status::kComplete;
    h.local = true;
    return h;
  }
  if (f.size() != 6 || f[0] != "PROXY" || (f[1] != "TCP4" && f[1] != "TCP6")) {
    return Invalid("malformed v1 header (expected 'PROXY TCP4|TCP6 SRC DST SPORT DPORT')");
  }
  int family = f[1] == "TCP4" ? AF_INET : AF_INET6;
  unsigned char src[16], dst[16];
  std::string s(f[2]), d(f[3]);
  if (inet_pton(family, s.c_str(), src) != 1 || inet_pton(family, d.c_str(), dst) != 1) {
    return Invalid(absl::StrCat("v1 header: invalid ", f[1], " address"));
  }
  int sport, dport;
  if (!ParseV1Port(f[4], &sport) || !ParseV1Port(f[5], &dport)) return Invalid("v1 header: invalid port");
  h.source = family == AF_INET ? MakeV4(src, sport) : MakeV6(src, sport);
  h.destination = family == AF_INET ? MakeV4(dst, dport) : MakeV6(dst, dport);
  h.status = ProxyHeader::Status::kComplete;
  return h;
}

ProxyHeader ParseV2(absl::string_view data) {
  if (data.size() < 16) return ProxyHeader{};
  auto u8 = [&](size_t i) { return static_cast<unsigned char>(data[i]); };
  int version = u8(12) >> 4, command = u8(12) & 0x0f;
  if (version != 2) return Invalid(absl::StrCat("v2 header: unsupported version ", version));
  if (command > 1) return Invalid(absl::StrCat("v2 header: unknown command ", command));
  size_t payload = (size_t{u8(14)} << 8) | u8(15);
  if (16 + payload > kMaxProxyHeader) return Invalid("v2 header larger than tender accepts (4096 bytes)");
  if (data.size() < 16 + payload) return ProxyHeader{};
  ProxyHeader h;
  h.length = 16 + payload;
  h.status = ProxyHeader::Status::kComplete;
  int family = u8(13) >> 4, protocol = u8(13) & 0x0f;
  if (command == 0) {  // LOCAL: health checks and the like; addresses are ignored
    h.local = true;
    return h;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + 16;
  if (family == 1 && protocol == 1) {
    if (payload < 12) return Invalid("v2 header: TCP4 address block too short");
    h.source = MakeV4(p, (p[8] << 8) | p[9]);
    h.destination = MakeV4(p + 4, (p[10] << 8) | p[11]);
    return h;
  }
  if (family == 2 && protocol == 1) {
    if (payload < 36) return Invalid("v2 header: TCP6 address block too short");
    h.source = MakeV6(p, (p[32] << 8) | p[33]);
    h.destination = MakeV6(p + 16, (p[34] << 8) | p[35]);
    return h;
  }
  if (family == 0) {  // UNSPEC with PROXY: keep the connection's addresses
    h.local = true;
    return h;
  }
  return Invalid(absl::StrCat("v2 header: unsupported address family/protocol 0x", absl::Hex(u8(13))));
}

// The address in the line's own family: a TCP6 line spells an IPv4-mapped address as
// IPv6 (::ffff:a.b.c.d), which HostString would shorten to IPv4.
std::string V1Host(const SocketAddress& a, int family) {
  if (family == AF_INET) return a.HostString();
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr, buf, sizeof(buf));
  return buf;
}

}  // namespace

std::string EncodeProxyV1(const SocketAddress& source, const SocketAddress& destination) {
  bool mapped;
  int family = CommonFamily(source, destination, &mapped);
  if (family == 0) return "PROXY UNKNOWN\r\n";
  return absl::StrCat("PROXY ", family == AF_INET ? "TCP4 " : "TCP6 ", V1Host(source, family), " ",
                      V1Host(destination, family), " ", source.port(), " ", destination.port(), "\r\n");
}


std::string EncodeProxyV2(const SocketAddress& source, const SocketAddress& destination) {
  std::string out(kV2Signature, sizeof(kV2Signature));
  bool mapped;
  int family = CommonFamily(source, destination, &mapped);
  if (family == 0) {
    out.append({'\x20', '\x00', '\x00', '\x00'});  // LOCAL, UNSPEC, no addresses
    return out;
  }
  if (family == AF_INET) {
    out.append({'\x21', '\x11', '\x00', '\x0c'});
    AppendV4(source, &out);
    AppendV4(destination, &out);
  } else {
    out.append({'\x21', '\x21', '\x00', '\x24'});
    out.append(reinterpret_cast<const char*>(reinterpret_cast<const sockaddr_in6*>(&source.storage)->sin6_addr.s6_addr), 16);
    out.append(reinterpret_cast<const char*>(reinterpret_cast<const sockaddr_in6*>(&destination.storage)->sin6_addr.s6_addr), 16);
  }
  AppendPort(source.port(), &out);
  AppendPort(destination.port(), &out);
  return out;
}

ProxyHeader ParseProxyHeader(absl::string_view data) {
  // Decide the version from the first bytes, failing as soon as they cannot match either.
  size_t n = std::min(data.size(), sizeof(kV2Signature));
  if (memcmp(data.data(), kV2Signature, n) == 0) {
    return n < sizeof(kV2Signature) ? ProxyHeader{} : ParseV2(data);
  }
  constexpr absl::string_view kV1Prefix = "PROXY ";
  n = std::min(data.size(), kV1Prefix.size());
  if (data.substr(0, n) == kV1Prefix.substr(0, n)) {
    return n < kV1Prefix.size() ? ProxyHeader{} : ParseV1(data);
  }
  return Invalid("not a PROXY protocol header");
}

}  // namespace tender
