"""What `newsdesk serve` was started with, and the rule for binding beyond loopback."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from newsdesk.errors import ConfigError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
DEFAULT_MAX_BODY = 2_500_000  # bytes: the largest article (2 MB) as JSON, escaped, plus a draft


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    max_concurrency: int = 1  # the embedded model: one request at a time
    max_body: int = DEFAULT_MAX_BODY

    def __post_init__(self) -> None:
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"--host {self.host} is reachable from other machines: give a --token "
                "(or NEWSDESK_TOKEN) that every API call must carry"
            )
        if self.max_body < 1024:
            raise ConfigError("--max-body must be at least 1024 bytes")

    def allowed_hosts(self) -> set[str]:
        """Host names a request may name: loopback's, and the bound host when it is not."""
        names = {n.lower() for n in LOOPBACK_NAMES}
        if self.host not in ("0.0.0.0", "::"):
            names.add(self.host.lower().strip("[]"))
        return names
