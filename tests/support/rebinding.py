"""A DNS rebinding name server, as a Scrapy resolver (TWISTED_DNS_RESOLVER, Scrapy's public hook): there is no DNS
server here to misbehave, so the resolver the crawler process installs does.

Names under `.rebind.test` answer a public address to their first lookup and 127.0.0.1 to every later one
(the trick a hostile site plays on a fence that checks one lookup and connects after another). Names under
`.nat64.test` and `.compat.test` always answer the NAT64 (`64:ff9b::7f00:1`) and IPv4-compatible
(`::127.0.0.1`) spellings of loopback. Names under the IDN test TLD `إختبار` (`xn--kgbechtv`) and under
`.local.test` answer 127.0.0.1 (a local server behind an Arabic domain name). Every other name goes to the
reactor's own resolver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

PUBLIC = "93.184.215.14"


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class RebindingResolver:
    def __init__(self, reactor: Any):
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.asked: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> RebindingResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, receiver: IResolutionReceiver, hostName: str, portNumber: int = 0,  # noqa: N802
                        addressTypes: Sequence[type] | None = None, transportSemantics: str = "TCP") -> Any:
        name = hostName.lower().rstrip(".")
        if name.endswith(".rebind.test"):
            n = self.asked[name] = self.asked.get(name, 0) + 1
            answer = PUBLIC if n == 1 else "127.0.0.1"
        elif name.endswith(".nat64.test"):
            answer = "64:ff9b::7f00:1"
        elif name.endswith(".compat.test"):
            answer = "::127.0.0.1"
        elif name.endswith((".xn--kgbechtv", ".local.test")):
            answer = "127.0.0.1"
        else:
            return self.original.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        kind = IPv6Address if ":" in answer else IPv4Address
        receiver.addressResolved(kind("TCP", answer, portNumber))
        receiver.resolutionComplete()
        return resolution
