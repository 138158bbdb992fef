"""The benchmark's results: rows of measurements, targets met or missed, the table and the JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from measure import Series


@dataclass
class Row:
    """One measured line of the table (or one that could not be measured, and why)."""

    key: str
    group: str
    label: str
    outputs: str = ""
    series: Series | None = None
    reason: str = ""  # why the row is not available
    note: str = ""
    versus_raw: float | None = None  # presswork / raw tools, same outputs
    versus_quarto: float | None = None  # presswork / Quarto's engines, same outputs

    @property
    def available(self) -> bool:
        return self.series is not None and bool(self.series.seconds)

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON: every repetition, and the summary figures."""
        data: dict[str, Any] = {
            "key": self.key,
            "group": self.group,
            "label": self.label,
            "outputs": self.outputs,
            "available": self.available,
            "note": self.note,
        }
        if not self.available or self.series is None:
            data["reason"] = self.reason
            return data
        data.update(
            {
                "seconds_median": self.series.median,
                "seconds": self.series.seconds,
                "cpu_seconds_median": self.series.cpu_median,
                "cpu_seconds": self.series.cpu_seconds,
                "peak_rss_mb": self.series.max_rss_kb / 1024,
                "other_load_cores": self.series.other_load,
                "versus_raw": self.versus_raw,
                "versus_quarto_engines": self.versus_quarto,
            }
        )
        return data


@dataclass
class Target:
    """A goal from the issue, the figure measured for it, and whether it is met."""

    goal: str
    measured: str
    met: bool | None  # None: could not be measured
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The target as JSON."""
        return {"goal": self.goal, "measured": self.measured, "met": self.met, "why": self.why}


@dataclass
class Results:
    """Everything one benchmark run found."""

    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)  # every measurement, by key
    interrupt: dict[str, Any] = field(default_factory=dict)  # Ctrl-C: time to exit

    def row(self, key: str) -> Row:
        """The row with this key."""
        return next(r for r in self.rows if r.key == key)

    def to_dict(self) -> dict[str, Any]:
        """All results as JSON."""
        return {
            "environment": self.environment,
            "rows": [r.to_dict() for r in self.rows],
            "targets": [t.to_dict() for t in self.targets],
            "profile": self.profile,
            "notes": self.notes,
            "interrupt": self.interrupt,
            "series": {key: _series_dict(s) for key, s in sorted(self.series.items())},
        }


def _series_dict(series: Series) -> dict[str, Any]:
    return {
        "seconds": series.seconds,
        "cpu_seconds": series.cpu_seconds,
        "other_cpu_seconds": series.other_cpu_seconds,
        "peak_rss_mb": series.max_rss_kb / 1024,
    }


def seconds(value: float) -> str:
    """Seconds to three significant places: 0.312, 4.56, 27.3."""
    if value < 1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(value: float | None) -> str:
    """A ratio as 0.62x, or a dash."""
    return "-" if value is None else f"{value:.2f}x"


def _cells(row: Row) -> list[str]:
    if not row.available or row.series is None:
        return [row.label, row.outputs, f"not available: {row.reason}"]
    s = row.series
    spread = f"{min(s.seconds):.2f}-{max(s.seconds):.2f}" if len(s.seconds) > 1 else ""
    return [
        row.label,
        row.outputs,
        seconds(s.median),
        f"{len(s.seconds)}",
        spread,
        seconds(s.cpu_median),
        f"{s.max_rss_kb / 1024:.0f}",
        f"{s.other_load:.1f}",
        ratio(row.versus_raw),
        ratio(row.versus_quarto),
    ]


HEADER = [
    "measurement",
    "outputs",
    "wall s",
    "n",
    "range s",
    "CPU s",
    "RSS MB",
    "other",
    "/raw",
    "/Quarto",
]


def table(results: Results) -> str:
    """The measurements as a plain-text table, grouped, then the targets."""
    lines: list[list[str]] = []
    group = ""
    for row in results.rows:
        if row.group != group:
            group = row.group
            lines.append([f"[{group}]"])
        lines.append(_cells(row))
    widths = [
        max(len(HEADER[i]), *(len(r[i]) for r in lines if len(r) == len(HEADER)))
        for i in range(len(HEADER))
    ]
    out = [_join(HEADER, widths), _join(["-" * w for w in widths], widths)]
    for cells in lines:
        out.append(_join(cells, widths) if len(cells) == len(HEADER) else "  ".join(cells))
    out += ["", "targets:"]
    for target in results.targets:
        verdict = {True: "MET   ", False: "MISSED", None: "n/a   "}[target.met]
        out.append(f"  {verdict} {target.goal}: {target.measured}")
        if target.why:
            out.append(f"         {target.why}")
    return "\n".join(out)


def _join(cells: list[str], widths: list[int]) -> str:
    left = cells[0].ljust(widths[0])
    middle = cells[1].ljust(widths[1])
    rest = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
    return "  ".join([left, middle, *rest]).rstrip()


def profile_text(profile: dict[str, Any], top: int = 15) -> str:
    """The profile's breakdown as an indented tree, then its top functions by own time."""
    if not profile.get("breakdown"):
        return f"profile: not available: {profile.get('reason', 'not run')}"
    wall = profile["wall_seconds"]
    out = [
        f"profile of one cold build, in-process, jobs=1, under cProfile ({wall:.1f} s, "
        f"{profile['targets_built']} outputs, {profile['pandoc_starts']} pandoc runs; cProfile "
        "slows Python code, not pandoc, so WeasyPrint's share is an upper bound):"
    ]
    depth = {"": 0}
    for entry in profile["breakdown"]:
        level = depth.get(entry["parent"], 0) + 1
        depth[entry["label"]] = level
        indent = "  " * level
        out.append(
            f"{indent}{entry['seconds']:7.2f} s {entry['share'] * 100:5.1f}%  "
            f"{entry['label']} ({entry['calls']} calls)"
        )
    out.append(f"top {top} functions by own time:")
    for entry in profile["top_exclusive"][:top]:
        out.append(
            f"  {entry['tottime']:7.2f} s own {entry['cumtime']:7.2f} s cum "
            f"{entry['calls']:>8}  {entry['function']}"
        )
    return "\n".join(out)
