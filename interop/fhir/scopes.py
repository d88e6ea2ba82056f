"""SMART scopes (v1 `system/Patient.read`, v2 `system/Patient.rs`) to the resource types a client may read or write."""

import re
from dataclasses import dataclass

SCOPE = re.compile(r"^(system|user|patient)/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|[cruds]+)$")


@dataclass(frozen=True)
class Grant:
    read: frozenset[str]  # resource types, "*" for all
    write: frozenset[str]

    def can_read(self, resource_type: str) -> bool:
        return "*" in self.read or resource_type in self.read

    def can_write(self, resource_type: str) -> bool:
        return "*" in self.write or resource_type in self.write


ALL = Grant(frozenset({"*"}), frozenset({"*"}))


def parse_scope(scope: str) -> tuple[str, bool, bool] | None:
    """(type, reads, writes) of one system scope, or None for a scope this server does not grant."""
    match = SCOPE.match(scope)
    if match is None or match.group(1) != "system":
        return None
    resource_type, access = match.group(2), match.group(3)
    if access in ("read", "write", "*"):
        return resource_type, access in ("read", "*"), access in ("write", "*")
    if len(set(access)) != len(access) or "".join(c for c in "cruds" if c in access) != access:
        return None  # SMART v2 letters must appear once each, in the order c r u d s
    return resource_type, "r" in access or "s" in access, bool(set(access) & set("cud"))


def grant_of(scopes: list[str], known_types: tuple[str, ...]) -> Grant:
    """The types the scopes allow (unknown types and non-system scopes are ignored)."""
    read, write = set(), set()
    for scope in scopes:
        parsed = parse_scope(scope)
        if parsed is None or (parsed[0] != "*" and parsed[0] not in known_types):
            continue
        if parsed[1]:
            read.add(parsed[0])
        if parsed[2]:
            write.add(parsed[0])
    return Grant(frozenset(read), frozenset(write))


def granted_scopes(requested: list[str], allowed: list[str], known_types: tuple[str, ...]) -> list[str]:
    """The requested scopes that the client's registered scopes cover, spelled as requested."""
    ceiling = grant_of(allowed, known_types)
    out = []
    for scope in requested:
        parsed = parse_scope(scope)
        if parsed is None:
            continue
        resource_type, reads, writes = parsed
        types = known_types if resource_type == "*" else (resource_type,)
        if all((not reads or ceiling.can_read(t)) and (not writes or ceiling.can_write(t)) for t in types):
            out.append(scope)
    return out
