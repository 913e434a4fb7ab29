"""Demo logins: one per role, and one enumerator per district under the supervisor."""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.models.accounts import Role


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    display_name: str


STAFF = (
    DemoLogin("admin", "minyi-admin", Role.ADMIN, "系统管理员"),
    DemoLogin("analyst", "minyi-analyst", Role.ANALYST, "分析员 李敏"),
    DemoLogin("supervisor", "minyi-supervisor", Role.SUPERVISOR, "督导 王强"),
)
ENUMERATOR_PASSWORD = "minyi-enumerator"  # noqa: S105 - published demo login


def enumerator_login(district_index: int) -> DemoLogin:
    number = district_index + 1
    return DemoLogin(
        f"enum{number:02d}", ENUMERATOR_PASSWORD, Role.ENUMERATOR, f"调查员 {number:02d}"
    )
