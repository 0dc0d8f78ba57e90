"""Who is acting, and through which channel: every service call and audit event carries one."""

from __future__ import annotations

from dataclasses import dataclass

from polydesk.core.enums import Channel, Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    role: Role | None
    channel: Channel

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.TECHNICIAN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @classmethod
    def system(cls, channel: Channel = Channel.SYSTEM) -> Actor:
        """The server itself (migrations, demo data, jobs): admin rights, no user."""
        return cls(user_id=None, role=Role.ADMIN, channel=channel)
