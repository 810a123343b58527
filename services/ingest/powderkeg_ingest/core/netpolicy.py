"""Which network addresses a fetch may reach: public ones, plus private ones allowed one host or network at a time.

A feed on the private network or on loopback is legitimate (a test server, an internal aggregator), but allowing
"private networks" as a whole would also open every admin interface on them and the cloud metadata service, which
hands out credentials. So the allowance is a list of exact addresses, CIDR networks and host names
(``POWDERKEG_INGEST_ALLOW_PRIVATE=127.0.0.1/32,10.0.0.5,feeds.internal``), and a few addresses are never reachable
whatever the list says: the cloud metadata endpoints below. Addresses that embed an IPv4 address (IPv4-mapped,
6to4, NAT64, Teredo) are judged by the address they embed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean ...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "fd00:ec2::254",  # AWS over IPv6
    )
)
"""Cloud metadata endpoints: never fetched, not even when a network containing them is allowed."""

MIN_PREFIX = {4: 8, 6: 32}
"""Allowed networks must be at least this specific: an allowance is for a host or a subnet, never "everything"."""
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, Teredo), or the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address (neither private, loopback, link-local, multicast nor reserved)."""
    return bool(ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified)


@dataclass(frozen=True)
class PrivateAllowance:
    """Private addresses and host names a fetch may reach anyway (parsed from the setting by :meth:`parse`)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> PrivateAllowance:
        """``"127.0.0.1/32, 10.0.0.5, feeds.internal"`` -> an allowance; raises ValueError naming a bad entry."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in text.split(","):
            entry = raw.strip()
            if not entry:
                continue
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                if "/" in entry or not entry.replace("-", "").replace(".", "").isalnum():
                    raise ValueError(f"{entry!r} is neither an address, a CIDR network nor a host name") from None
                hosts.add(entry.lower().rstrip("."))
                continue
            if network.prefixlen < MIN_PREFIX[network.version]:
                raise ValueError(
                    f"{entry!r} is too broad: allow hosts or subnets (at least /{MIN_PREFIX[network.version]})"
                )
            networks.append(network)
        return cls(tuple(networks), frozenset(hosts))

    def __bool__(self) -> bool:
        return bool(self.networks or self.hosts)

    def permits(self, host: str, address: str) -> bool:
        """Whether a fetch of ``host`` may connect to ``address``."""
        ip = embedded(ipaddress.ip_address(address.split("%", 1)[0]))
        if ip in METADATA_ADDRESSES:
            return False
        if is_public(ip):
            return True
        if host.lower().rstrip(".") in self.hosts:
            return True
        return any(ip.version == net.version and ip in net for net in self.networks)
