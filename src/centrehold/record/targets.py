"""Target classes of IBC incidents: whom an attack was aimed at, read from IBC's text.

IBC describes each incident's target in free English (`Target`, e.g. "police patrol,
civilian killed", "bodies found shot dead", "Shiite pilgrims"). The competing
explanations of the 2009 violence differ mainly in *against whom* it was done, so the
record's own words are sorted into a few classes by written rules, the same rules a
person applied by hand to a 320-incident sample (`tests/record/fixtures/README.md`);
the test suite measures how often the two agree.

The rules, in order of precedence (the first class whose words appear wins):

1. `executions`: the dead were found (body, bodies, remains, found, dumped, executed,
   tortured, bound/handcuffed). This is the manner; a stated identity is not used.
2. `awakening`: Awakening councils, Sahwa, Sons of Iraq.
3. `officials`: office holders and state institutions (politicians, candidates,
   parties, judges, mayors, governors, councils, ministries, tribal sheikhs).
4. `state_security`: police, army, security forces, checkpoints, Iraqi or foreign
   forces; clashes involving them ("X patrol, civilian killed" is aimed at the patrol).
5. `religious`: pilgrims, worshippers, mosques, husseiniyas, shrines, churches, clergy;
   with the community where the text names it (shia, sunni, christian).
6. `minorities`: Christians, Yazidis, Shabak, Turkmen, Kurds and other named minorities.
7. `markets_crowds`: markets, crowds, queues, cafes, restaurants, bus stations,
   weddings, funerals.
8. `other_civilians`: any other identified target.
9. `unknown`: no target given (`-` or empty); then a Location naming a market, mosque,
   checkpoint or police station, or a Weapons text saying executed/tortured, decides.

Before matching, the victims listed after the target ("..., policeman killed") and the
forces named as who fired ("by US troops", "US air strike", "police raid") are removed:
they say who died or who shot, not whom the attack was aimed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

TARGET_CLASSES: tuple[str, ...] = (
    "executions",
    "awakening",
    "officials",
    "state_security",
    "religious",
    "minorities",
    "markets_crowds",
    "other_civilians",
    "unknown",
)
COMMUNITIES: tuple[str, ...] = ("shia", "sunni", "christian")


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


_EXECUTIONS = _rx(
    r"\bbod(y|ies)\b", r"\bremains\b", r"\bfound\b", r"\bdumped\b", r"\bexecuted\b",
    r"\btortured\b", r"\bhandcuffed\b", r"\bbound and shot\b", r"\bblindfolded\b",
)
_AWAKENING = _rx(r"awakening", r"\bsahwa", r"sons of iraq", r"concerned local citizens")
_OFFICIALS = _rx(
    r"official", r"politician", r"\bmps?\b", r"parliament", r"lawmaker", r"candidate",
    r"(?<!wedding )\bparty\b", r"\bkdp\b", r"\bpuk\b", r"patriotic union", r"\blist\b",
    r"\bjudges?\b", r"\bmayor", r"\bgovernor\b", r"council", r"\bminister\b",
    r"deputy minister", r"commissioner", r"mukhtar", r"tribal (sheikh|leader|chief)",
    r"(leader|chief|sheikh|head) of .*\btribe", r"clan leader", r"diplomat", r"embassy",
    r"elector", r"election commission", r"governorate (building|offices?|headquarters)",
    r"government (building|offices?|compound|headquarters)",
)
_MINISTRY = _rx(r"\bministr(y|ies)\b")
_EMPLOYEE = _rx(r"employee", r"\bworkers?\b", r"\bstaff\b")
_SHEIKH = _rx(r"\bshe[iy]kh\b", r"\bshaykh\b")
_CLERGY = _rx(r"\bimam\b", r"preacher", r"cleric", r"muezzin", r"\bpriest\b")
_HEADS = _rx(r"\bdirector", r"\bhead of\b", r"\bchief of\b")
_SECURITY = _rx(
    r"police", r"policem[ae]n", r"policewom[ae]n", r"\barmy\b", r"soldier", r"\btroops\b",
    r"security (forces?|m[ae]n|members?|officers?|volunteers?|guards?|personnel)",
    r"security/", r"checkpoint", r"border guard", r"peshmerga", r"facilities protection",
    r"\bfps\b", r"\bswat\b", r"commando", r"patrol", r"military", r"\bus (forces|convoy|base)",
    r"coalition", r"british", r"\buk'?s?\b", r"iraqi forces", r"national guard",
    r"intelligence", r"lieutenant", r"\bcolonel\b", r"\bcaptain\b", r"\bmajor\b",
    r"brigadier", r"\bgeneral\b(?! company)", r"\bofficers?\b", r"sergeant", r"recruits",
    r"\bguards?\b", r"\bbase\b", r"special forces", r"\bswat\b",
)
_PRIVATE = _rx(r"private security", r"security (firm|company|contractor)", r"\bformer\b")
_RELIGIOUS = _rx(
    r"pilgrim", r"worshipp?er", r"mosque", r"husa?s?einiy", r"hussainiy", r"husainiy",
    r"shrine", r"church", r"prayers?\b", r"ashura", r"arba[e']?e?in", r"\bimam\b", r"preacher",
    r"cleric", r"muezzin", r"\bpriest", r"religious", r"monastery", r"cathedral", r"bishop",
)
_COMMUNITY = (
    ("shia", _rx(r"shi'?i?te", r"\bshia", r"husa?s?einiy", r"hussainiy", r"husainiy",
                 r"ashura", r"arba[e']?e?in")),
    ("sunni", _rx(r"\bsunni")),
    ("christian", _rx(r"christian", r"church", r"\bpriest", r"assyrian", r"chaldean",
                      r"bishop", r"monastery", r"cathedral")),
)
_MINORITIES = _rx(
    r"christian", r"yazidi", r"ezidi", r"shabak", r"turkmen", r"turkoman", r"\bkurd",
    r"sabean", r"sabian", r"mandaean", r"palestinian", r"faili", r"assyrian", r"chaldean",
    r"armenian",
)
_CROWDS = _rx(
    r"market", r"\bsouk", r"\bsuq\b", r"shoppers", r"shopping", r"commercial (street|area)",
    r"crowd", r"gathering", r"gathered", r"queue", r"\bline of\b", r"\bcaf[eé]s?\b",
    r"coffee ?shop", r"tea ?(shop|house)", r"restaurant", r"bus (station|stop|terminal)",
    r"(?<!repair )garage", r"wedding", r"funeral", r"mourners", r"football", r"soccer",
    r"stadium", r"\bpark\b", r"playground", r"labou?rers", r"job seekers",
)
_LOCATION_PLACES = (
    ("religious", _rx(r"mosque", r"husa?s?einiy", r"hussainiy", r"shrine", r"church")),
    ("markets_crowds", _rx(r"market", r"\bsouk", r"\bsuq\b", r"garage", r"bus station",
                           r"\bcaf[eé]\b", r"restaurant")),
    ("state_security", _rx(r"checkpoint", r"police station")),
)
_WEAPONS_EXECUTION = _rx(r"executed", r"tortured", r"beheaded")

# a force named as who fired, or how the dead died in a raid: not the target
_PERPETRATOR = _rx(
    r"\b(by|from)\s+(the\s+)?(us|u\.s\.|iraqi|american|british|police|army|security forces"
    r"|troops|soldiers)(\s+(troops|soldiers|forces|army|police|air ?strikes?|gunfire|fire"
    r"|helicopters?))?",
    r"\b(joint\s+)?(us|iraqi|iraqi/us|us/iraqi|police|army)\s+(air ?strikes?|raids?"
    r"|shelling|gunfire|fire)\b",
    r"\bin\s+(us\s+|iraqi\s+)?(security forces|police|army|us)\s+(shooting|fire|gunfire)",
)
_VICTIMS_TAIL = re.compile(r",[^,]*\bkilled\b[^,]*$", re.IGNORECASE)


@dataclass(frozen=True)
class TargetClass:
    """One incident's class and, for religious targets, the community the text names."""

    label: str
    community: str = ""


def _community(text: str) -> str:
    for name, pattern in _COMMUNITY:
        if pattern.search(text):
            return name
    return ""


def _core(text: str) -> str:
    """The target itself: without the victims listed after it or the force that fired."""
    core = _VICTIMS_TAIL.sub("", text) if "," in text else text
    return _PERPETRATOR.sub(" ", core)


def _is_official(text: str) -> bool:
    if _OFFICIALS.search(text):
        return True
    if _MINISTRY.search(text) and not _EMPLOYEE.search(text):
        return True
    return bool(_SHEIKH.search(text) and not _CLERGY.search(text))


def _from_target(text: str) -> TargetClass | None:
    if _EXECUTIONS.search(text):
        return TargetClass("executions")
    if _AWAKENING.search(text):
        return TargetClass("awakening")
    if _is_official(text):
        return TargetClass("officials")
    if _SECURITY.search(text) and not _PRIVATE.search(text):
        return TargetClass("state_security")
    if _HEADS.search(text):
        return TargetClass("officials")
    if _RELIGIOUS.search(text):
        return TargetClass("religious", _community(text))
    if _MINORITIES.search(text):
        return TargetClass("minorities")
    if _CROWDS.search(text):
        return TargetClass("markets_crowds")
    return None


def classify_target(target: str, location: str = "", weapons: str = "") -> TargetClass:
    """The class of one incident from its Target text (Location and Weapons only when the
    Target gives none)."""
    text = (target or "").strip()
    if text and text != "-":
        found = _from_target(_core(text))
        return found if found is not None else TargetClass("other_civilians")
    place = (location or "").strip()
    for label, pattern in _LOCATION_PLACES:
        if pattern.search(place):
            return TargetClass(label, _community(place) if label == "religious" else "")
    if _WEAPONS_EXECUTION.search(weapons or ""):
        return TargetClass("executions")
    return TargetClass("unknown")


def target_classes(
    target: pd.Series, location: pd.Series | None = None, weapons: pd.Series | None = None
) -> pd.DataFrame:
    """`target_class` and `community` for every incident, aligned on `target`'s index."""
    empty = pd.Series("", index=target.index)
    location = empty if location is None else location.reindex(target.index).fillna("")
    weapons = empty if weapons is None else weapons.reindex(target.index).fillna("")
    found = [
        classify_target(str(t), str(p), str(w))
        for t, p, w in zip(target.fillna(""), location, weapons, strict=True)
    ]
    return pd.DataFrame(
        {
            "target_class": [f.label for f in found],
            "community": [f.community for f in found],
        },
        index=target.index,
    )
