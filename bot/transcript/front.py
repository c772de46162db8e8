"""YAML front matter at a markdown transcript's top: its keys and their values (title,
date, guests, hosts), read without a YAML library: scalars, lists and "- name:" items."""

from __future__ import annotations

import re

__all__ = ["front_matter"]

_FRONT_KEY = re.compile(r"^([A-Za-z_][\w -]{0,40}):\s*(.*)$")
_MAX_FRONT = 200  # lines: a longer "front matter" is no front matter


def front_matter(lines: list[str], first: int) -> tuple[int, dict[str, list[str]]]:
    """(index of the closing "---", keys with their values) or (0, {}) when there is none."""
    end = 0
    for i in range(first + 1, min(len(lines), first + _MAX_FRONT)):
        if lines[i].strip() in ("---", "..."):
            end = i
            break
    if not end:
        return 0, {}
    front: dict[str, list[str]] = {}
    key: str | None = None
    scalar = ""  # a top-level value so far: YAML folds its indented continuation lines in
    for raw in lines[first + 1 : end]:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        top = _FRONT_KEY.match(raw) if not raw[:1].isspace() else None
        if top:
            key = top.group(1).strip().casefold()
            scalar = top.group(2).strip()
            front[key] = _yaml_values(scalar) if scalar else []
            continue
        if key is None:
            continue
        item = raw.strip()
        if scalar and not scalar.startswith("[") and not item.startswith("- "):
            scalar = f"{scalar} {item}"  # "title: 'A long title,\n  continued'"
            front[key] = _yaml_values(scalar)
            continue
        if item.startswith("- "):
            item = item[2:].strip()
            nested = _FRONT_KEY.match(item)
            if nested:
                if nested.group(1).strip().casefold() != "name":
                    continue
                item = nested.group(2).strip()
            front[key].extend(_yaml_values(item))
        else:
            nested = _FRONT_KEY.match(item)
            if nested and nested.group(1).strip().casefold() == "name":
                front[key].extend(_yaml_values(nested.group(2).strip()))
    return end, front


def _yaml_values(value: str) -> list[str]:
    parts = value[1:-1].split(",") if value.startswith("[") and value.endswith("]") else [value]
    return [p.strip().strip("\"'").strip() for p in parts if p.strip().strip("\"'").strip()]
