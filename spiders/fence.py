"""Which addresses the crawler must not connect to: loopback, private, link-local, reserved, multicast, and
the IPv6 spellings that embed one of them (IPv4-mapped `::ffff:127.0.0.1`, IPv4-compatible `::127.0.0.1`,
NAT64 `64:ff9b::7f00:1`, 6to4 `2002:7f00:1::`, Teredo)."""

from __future__ import annotations

import ipaddress

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = ip.packed
    # IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks); :: and ::1 are not IPv4
    if packed[:12] == bytes(12) and int.from_bytes(packed[12:], "big") > 1:
        return ipaddress.IPv4Address(packed[12:])
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(packed[12:])
    return None


def is_private_address(address: str) -> bool:
    """True for an IP literal the crawler must not reach; False for a public one or a host name."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_private_address(str(inner))
    return not ip.is_global or ip.is_multicast
