"""Access levels (SPEC §5): where a request comes from and what it may do."""

import ipaddress
from collections.abc import Iterable

from memberclub.domain.program import Level

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(*, peer: str, forwarded_for: str | None, trusted_proxies: Iterable[str]) -> str:
    """Return the client IP: the socket peer, or the forwarded hop a trusted proxy vouches for."""
    if not forwarded_for or not _in_any(peer, trusted_proxies):
        return peer
    # Walk the chain from the nearest hop back; the first address no trusted proxy vouches
    # for is the client. Anything further left could have been written by the client itself.
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _valid(hop):
            return peer
        if not _in_any(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer


def on_line(ip: str, prefixes: str) -> bool:
    """True when `ip` lies in one of the contract line's space-separated CIDR prefixes."""
    return _in_any(ip, prefixes.split())


def level(*, on_the_line: bool, trusted_device: bool) -> Level:
    """A logged-in member's level: LINE on the line or with a registered auth key."""
    return Level.LINE if on_the_line or trusted_device else Level.PASSWORD


def allows(have: Level, need: Level) -> bool:
    """True when a member at level `have` may do what needs level `need`."""
    return need == Level.PASSWORD or have == Level.LINE


def _valid(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_any(ip: str, networks: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
