"""Mapping admin names as sources spell them to a scenario's region codes.

Every source spells Iraq's governorates its own way (`Dhi Quar`, `Thi-Qar`, `Dhi Qar`;
`At Ta'mim province` for Kirkuk). Matching is by an explicit alias table after a light
normalisation (case, accents, apostrophes, hyphens, a trailing "province" or
"governorate"); it never guesses by similarity, because a wrong guess would move
deaths between regions silently. Names that match nothing are listed for the user to
add to the table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from centrehold.errors import UserError
from centrehold.record.events import ReadReport

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc\u02bb\u02be\u02bf`'\u00b4]")
_SEPARATORS = re.compile(r"[-_.,/()]+")
_SUFFIX = re.compile(r"\s+(province|governorate|muhafazah|muhafazat)$")


def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for an admin name."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.casefold())
    text = _SEPARATORS.sub(" ", text)
    text = " ".join(text.split())
    return _SUFFIX.sub("", text)


@dataclass(frozen=True)
class RegionMap:
    """Aliases (normalised) to region codes, plus the codes' display names."""

    aliases: dict[str, str]
    names: dict[str, str]

    @classmethod
    def from_table(cls, table: pd.DataFrame, source: str = "alias table") -> RegionMap:
        """Build from columns `alias`, `region` (and optional `name` per region).

        Two regions claiming one alias is an error: the table would be ambiguous.
        """
        missing = {"alias", "region"} - set(table.columns)
        if missing:
            raise UserError(
                f"{source} lacks column(s) {sorted(missing)}: give columns alias,region[,name]"
            )
        aliases: dict[str, str] = {}
        names: dict[str, str] = {}
        for row in table.itertuples(index=False):
            code = str(row.region).strip()
            key = normalise_name(row.alias)
            if not key or not code:
                continue
            if aliases.get(key, code) != code:
                raise UserError(
                    f"{source}: alias {row.alias!r} points to both {aliases[key]} and {code}; "
                    "keep one"
                )
            aliases[key] = code
            aliases.setdefault(normalise_name(code), code)
            name = getattr(row, "name", None)
            if isinstance(name, str) and name and code not in names:
                names[code] = name
        return cls(aliases=aliases, names=names)

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.aliases.values()))

    def lookup(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.aliases.get(normalise_name(name))


def iraq_region_map() -> RegionMap:
    """The bundled alias table for Iraq's 18 governorates (see record/bundled/README.md)."""
    path = resources.files("centrehold.record").joinpath("bundled/iraq_region_aliases.csv")
    with resources.as_file(path) as local:
        table = pd.read_csv(local, dtype=str, keep_default_na=False)
    return RegionMap.from_table(table, source="bundled iraq_region_aliases.csv")


def load_region_map(path: str | Path) -> RegionMap:
    """A user's alias table: a CSV with columns alias,region[,name]."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such alias table: {path}; give a CSV with columns alias,region")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not valid UTF-8: re-save it as UTF-8") from exc
    return RegionMap.from_table(table, source=str(path))


def assign_regions(
    events: pd.DataFrame, region_map: RegionMap, report: ReadReport | None = None
) -> pd.DataFrame:
    """Fill `region` from `admin` (an existing non-null region is kept), listing misses.

    Events with no admin name at all, or a name that matches nothing, keep region None:
    they stay in national totals, and the report counts them.
    """
    out = events.copy()
    admin = out["admin"]
    lookup = {name: region_map.lookup(name) for name in admin.dropna().unique()}
    mapped = admin.map(lambda a: lookup.get(a) if a is not None else None)
    if "region" in out and out["region"].notna().any():
        mapped = out["region"].where(out["region"].notna(), mapped)
    out["region"] = mapped.astype(object).where(mapped.notna(), None)
    if report is not None:
        misses = admin[admin.notna() & out["region"].isna()]
        report.unmatched = {str(k): int(v) for k, v in misses.value_counts().items()}
    return out
