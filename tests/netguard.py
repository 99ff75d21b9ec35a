"""A test guard that refuses every network connection that is not loopback.

``install()`` patches ``socket.socket.connect``/``connect_ex``, ``socket.create_connection``
and the resolvers (``getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``). Allowed:
IP literals in 127.0.0.0/8 or ``::1`` (also ``::ffff:127.x``), the unspecified address
(0.0.0.0 / ``::``, which Linux connects to the local host), ``localhost`` and
``*.localhost``, and every non-IP family (AF_UNIX paths, netlink). Anything else raises
``ConnectionRefusedError("test guard: ... is not loopback")``; a host name other than
localhost is refused *before* it is resolved, so no DNS query leaves the machine.

Limitations: only Python-level sockets are seen. C code that opens its own sockets is not
(libpq inside psycopg, libuv inside uvloop, the C resolver used by such code), so
``install(block_uvloop=True)`` makes ``import uvloop`` fail: Sanic (Rasa) and aiogram then
fall back to the standard asyncio loop, whose sockets the guard does see. Modules that copied
``from socket import create_connection`` before ``install()`` keep the unguarded function,
but their connect still goes through the guarded ``socket.socket.connect``.

Standard library only and importable on its own (``tests/netguard_site/sitecustomize.py``
loads it by path in subprocesses).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
INTERNET_FAMILIES = (socket.AF_INET, socket.AF_INET6)

_original: dict[str, Any] = {}


def refuse(target: object) -> ConnectionRefusedError:
    return ConnectionRefusedError(f"test guard: {target!r} is not loopback")


def _host_text(host: object) -> str:
    return host.decode() if isinstance(host, (bytes, bytearray)) else str(host)


def as_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``host`` spells (an IPv6 ``%scope`` suffix ignored), else None."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def is_loopback_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def is_local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name in LOCAL_NAMES or name.endswith(".localhost")


def check_host(host: object) -> None:
    """Raise the guard's ConnectionRefusedError unless ``host`` is loopback.

    A name is judged before any lookup: only localhost names are resolved (from the hosts
    file, by the unpatched resolver) to confirm they map to loopback addresses.
    """
    if host is None or host == "" or host == b"":
        return  # the local host, as connect() and getaddrinfo() read an empty host
    text = _host_text(host)
    ip = as_ip(text)
    if ip is not None:
        if not is_loopback_ip(ip):
            raise refuse(text)
        return
    if not is_local_name(text):
        raise refuse(text)
    resolved = _original["getaddrinfo"](text, None)
    if not all(is_loopback_ip(ipaddress.ip_address(info[4][0].split("%")[0])) for info in resolved):
        raise refuse(f"{text} (resolves beyond loopback)")


def check_address(family: int, address: object) -> None:
    """Check a connect() address: only the Internet families carry a host to judge."""
    if family in INTERNET_FAMILIES and isinstance(address, tuple) and address:
        check_host(address[0])


# -------------------------------------------------------------------------- patched calls


def _guarded_connect(self: socket.socket, address: Any) -> None:
    check_address(self.family, address)
    return _original["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    check_address(self.family, address)
    return _original["connect_ex"](self, address)


def _guarded_create_connection(address: tuple[Any, ...], *args: Any, **kwargs: Any) -> Any:
    check_host(address[0])
    return _original["create_connection"](address, *args, **kwargs)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check_lookup(host)
    return _original["getaddrinfo"](host, *args, **kwargs)


def _guarded_gethostbyname(host: Any) -> Any:
    _check_lookup(host)
    return _original["gethostbyname"](host)


def _guarded_gethostbyname_ex(host: Any) -> Any:
    _check_lookup(host)
    return _original["gethostbyname_ex"](host)


def _check_lookup(host: Any) -> None:
    """A lookup of an IP literal sends nothing; a name other than localhost is refused."""
    if host is None or as_ip(_host_text(host)) is not None:
        return
    check_host(host)


def _patches() -> dict[str, tuple[Any, str, Any]]:
    return {
        "connect": (socket.socket, "connect", _guarded_connect),
        "connect_ex": (socket.socket, "connect_ex", _guarded_connect_ex),
        "create_connection": (socket, "create_connection", _guarded_create_connection),
        "getaddrinfo": (socket, "getaddrinfo", _guarded_getaddrinfo),
        "gethostbyname": (socket, "gethostbyname", _guarded_gethostbyname),
        "gethostbyname_ex": (socket, "gethostbyname_ex", _guarded_gethostbyname_ex),
    }


def install(*, block_uvloop: bool = True) -> None:
    """Guard this process (idempotent); see the module docstring for what is allowed."""
    if block_uvloop:
        sys.modules["uvloop"] = None  # type: ignore[assignment]  # "import uvloop" fails
    if _original:
        return
    for key, (owner, name, guarded) in _patches().items():
        _original[key] = getattr(owner, name)
        setattr(owner, name, guarded)


def uninstall() -> None:
    """Restore the unguarded socket functions (uvloop stays blocked if it was)."""
    for key, (owner, name, _guarded) in _patches().items():
        if key in _original:
            setattr(owner, name, _original.pop(key))


def installed() -> bool:
    return bool(_original)
