"""The atlas ids a routine step may target, with their names, faces and hands.

Routines are validated against the atlas (``massagecam.atlas.load_atlas().entries``) when that
module is importable, so a routine can never ask for a spot the atlas cannot judge. While the
atlas is absent (or in a stripped-down install) the table below, transcribed from the domain
notes (``zones-points-routines.md`` sections (a) and (b)), stands in for it.

A few reflexology zones exist on one hand only (heart and spleen on the left palm, liver on the
right); :func:`hand_only` tells which, so that a routine for "either" hand can be mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class TargetInfo:
    """What a routine needs to know about one atlas id.

    Attributes:
        id: atlas id ("LI4", "Z10").
        name: human name ("Hegu", "Solar plexus").
        side: "palm", "back" or "any" (visible on both faces, e.g. the spine reflex).
        hand: "Left" or "Right" when the zone exists on that hand only, else None.
    """

    id: str
    name: str
    side: str
    hand: str | None = None


_P, _B, _A = "palm", "back", "any"

#: Fallback table (domain notes (a), (b)); the atlas supersedes it when importable.
FALLBACK: tuple[TargetInfo, ...] = (
    TargetInfo("Z1", "Brain / pituitary", _P), TargetInfo("Z2", "Sinuses / head", _P),
    TargetInfo("Z3", "Neck / throat", _A), TargetInfo("Z4", "Thyroid / parathyroid", _P),
    TargetInfo("Z5", "Eyes", _P), TargetInfo("Z6", "Ears", _P),
    TargetInfo("Z7", "Shoulder", _P), TargetInfo("Z8", "Chest / lungs / bronchi", _P),
    TargetInfo("Z9", "Heart", _P, "Left"), TargetInfo("Z10", "Solar plexus", _P),
    TargetInfo("Z11", "Stomach / pancreas / duodenum", _P),
    TargetInfo("Z12", "Liver / gallbladder", _P, "Right"), TargetInfo("Z13", "Spleen", _P, "Left"),
    TargetInfo("Z14", "Kidney / adrenal", _P), TargetInfo("Z15", "Small intestine", _P),
    TargetInfo("Z16", "Colon", _P), TargetInfo("Z17", "Bladder", _P),
    TargetInfo("Z18", "Reproductive", _P), TargetInfo("Z19", "Spine", _A),
    TargetInfo("Z20", "Pelvis / hip / low back", _P),
    TargetInfo("D1", "Head / face (dorsal)", _B), TargetInfo("D2", "Neck (dorsal)", _B),
    TargetInfo("D3", "Throat / vocal cords", _B), TargetInfo("D4", "Shoulders / upper back", _B),
    TargetInfo("D5", "Upper back / posterior ribs", _B), TargetInfo("D6", "Mid / lower back", _B),
    TargetInfo("D7", "Hip / knee / leg", _B), TargetInfo("D8", "Sacrum / sciatic", _B),
    TargetInfo("D9", "Lymph / groin (dorsal wrist)", _B),
    TargetInfo("LI4", "Hegu", _B), TargetInfo("LI3", "Sanjian", _B),
    TargetInfo("LI5", "Yangxi", _B), TargetInfo("TE3", "Zhongzhu", _B),
    TargetInfo("TE4", "Yangchi", _B), TargetInfo("SI3", "Houxi", _A),
    TargetInfo("EX-UE7", "Yaotongdian", _B), TargetInfo("EX-UE8", "Wailaogong", _B),
    TargetInfo("EX-UE9", "Baxie", _B), TargetInfo("PC6", "Neiguan", _P),
    TargetInfo("PC7", "Daling", _P), TargetInfo("PC8", "Laogong", _P),
    TargetInfo("HT7", "Shenmen", _P), TargetInfo("HT8", "Shaofu", _P),
    TargetInfo("LU9", "Taiyuan", _P), TargetInfo("LU10", "Yuji", _P),
    TargetInfo("EX-UE10", "Sifeng", _P), TargetInfo("EX-UE11", "Shixuan", _A),
)

_FALLBACK_BY_ID = {t.id: t for t in FALLBACK}


def _get(entry: Any, key: str, default: Any = None) -> Any:
    if isinstance(entry, dict):
        return entry.get(key, default)
    return getattr(entry, key, default)


def _from_atlas_entry(entry: Any) -> TargetInfo | None:
    ident = _get(entry, "id")
    if not ident:
        return None
    ident = str(ident)
    fb = _FALLBACK_BY_ID.get(ident)
    side = str(_get(entry, "side", fb.side if fb else _A) or _A).lower()
    if side not in (_P, _B):
        side = _A
    hand = _get(entry, "hand", None)
    hand = str(hand).capitalize() if hand and str(hand).lower() in ("left", "right") else None
    if hand is None and fb is not None:
        hand = fb.hand
    # Prefer the human name of the table; atlas names are snake_case identifiers.
    name = fb.name if fb else str(_get(entry, "name", ident)).replace("_", " ").capitalize()
    return TargetInfo(ident, name, side, hand)


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict[str, TargetInfo], str]:
    """All valid target ids and where they came from ("atlas" or "domain notes").

    The atlas is imported lazily: it is optional for validation, and importing it must not make
    ``massagecam routines list`` slow or fragile while it is being built.
    """
    try:
        from massagecam.atlas import load_atlas  # type: ignore[attr-defined]
    except ImportError:
        return dict(_FALLBACK_BY_ID), "domain notes"
    entries = load_atlas().entries
    items = entries.values() if isinstance(entries, dict) else entries
    found = {}
    for entry in items:
        info = _from_atlas_entry(entry)
        if info is not None:
            found[info.id] = info
    if not found:
        return dict(_FALLBACK_BY_ID), "domain notes"
    return found, "atlas"


def target_info(ident: str) -> TargetInfo | None:
    """Info for one id, or None when neither the atlas nor the fallback knows it."""
    return catalogue()[0].get(ident)


def hand_only(ident: str) -> str | None:
    """"Left"/"Right" when ``ident`` exists on that hand only, else None."""
    info = target_info(ident)
    return info.hand if info else None
