"""A stand-in for Consul's DNS interface, for HAProxy's `server-template` in bench/run.

Consul (which cannot be installed here) answers `_<service>._tcp.service.consul` SRV
queries with one record per healthy instance: priority 1, weight 1, the instance's port,
and a target `<node>.node.<dc>.consul` whose A record comes in the additional section;
TTL 0 by default (`dns_config.service_ttl` unset). A queries for a node name answer its
address; other questions get an empty NOERROR answer. That is what this server does, from
an instance list the caller changes at run time. UDP only: the answers stay small.
"""
import socket
import struct
import threading


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def decode_name(packet, offset):
    labels = []
    while True:
        length = packet[offset]
        if length == 0:
            return ".".join(labels), offset + 1
        if length & 0xC0:  # queries do not compress, but be safe
            pointer = struct.unpack("!H", packet[offset:offset + 2])[0] & 0x3FFF
            name, _ = decode_name(packet, pointer)
            labels.append(name)
            return ".".join(labels), offset + 2
        labels.append(packet[offset + 1:offset + 1 + length].decode(errors="replace"))
        offset += 1 + length


class ConsulDns:
    def __init__(self, service="web", datacenter="dc1"):
        self.service, self.dc = service, datacenter
        self.instances = {}  # node -> (address, port)
        self.lock = threading.Lock()
        self.queries = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def register(self, node, address, port):
        with self.lock:
            self.instances[node] = (address, port)

    def deregister(self, node):
        with self.lock:
            self.instances.pop(node, None)

    def _serve(self):
        while True:
            try:
                packet, peer = self.sock.recvfrom(4096)
                reply = self._answer(packet)
            except (OSError, IndexError, struct.error):
                continue
            if reply:
                self.sock.sendto(reply, peer)

    def _answer(self, packet):
        qid, flags, qdcount = struct.unpack("!HHH", packet[:6])
        if qdcount < 1:
            return None
        qname, offset = decode_name(packet, 12)
        qtype, qclass = struct.unpack("!HH", packet[offset:offset + 4])
        question = packet[12:offset + 4]
        self.queries += 1
        with self.lock:
            instances = dict(self.instances)
        answers, additional = [], []
        lname = qname.lower().rstrip(".")
        if qtype == 33 and lname == f"_{self.service}._tcp.service.consul":
            for node, (address, port) in sorted(instances.items()):
                target = encode_name(f"{node}.node.{self.dc}.consul")
                rdata = struct.pack("!HHH", 1, 1, port) + target
                answers.append(b"\xc0\x0c" + struct.pack("!HHIH", 33, 1, 0, len(rdata)) + rdata)
                additional.append(target + struct.pack("!HHIH", 1, 1, 0, 4) + socket.inet_aton(address))
        elif qtype == 1 and lname.endswith(f".node.{self.dc}.consul"):
            node = lname.split(".")[0]
            if node in instances:
                answers.append(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + socket.inet_aton(instances[node][0]))
        # QR, opcode as asked, AA, RD as asked, RA; rcode NOERROR.
        reply_flags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080
        header = struct.pack("!HHHHHH", qid, reply_flags, 1, len(answers), 0, len(additional))
        return header + question + b"".join(answers) + b"".join(additional)
