"""The platform's hub-managed services (the exchange, the KPIs, the assistant, the lab library): each one's name
and port, and where learner containers reach it (the hub's container on their cohort's network)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubService:
    name: str
    port: int

    def address(self, instance: str) -> str:
        """Where the hub runs the service, as JupyterHub's service `url`."""
        return f"http://{instance}-hub:{self.port}"

    def url(self, instance: str) -> str:
        """The service's base URL for a learner container (JupyterHub's prefix included)."""
        return f"{self.address(instance)}/services/{self.name}/"

    def api_url(self, instance: str) -> str:
        """An OpenAI-compatible client's base URL: the assistant has no route on the hub's public proxy,
        only this address on the learners' networks."""
        return f"{self.address(instance)}/v1"

    @property
    def access_scope(self) -> str:
        return f"access:services!service={self.name}"


EXCHANGE = HubService("exchange", 10101)
KPIS = HubService("kpis", 10102)
ASSISTANT = HubService("assistant", 10103)
LIBRARY = HubService("library", 10104)  # trainers publish and release labs (sandlab.labs.library_service)


def route_prefix(prefix: str) -> str:
    """JupyterHub's service prefix as a route prefix: '/services/kpis/' (or '/' when run alone)."""
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
