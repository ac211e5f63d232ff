"""reasonseg-mini's ReasonSeg-Diff side file: a difficulty score and a short and a long reference reasoning per scene.

The references are written from the scene's own objects (the target's category, colour and place, and the other
things drawn), so a reasoning that talks about this picture scores closer to them than one about another picture.
The difficulty is fixed by the sample's plan, not measured: base 2.0, +1.5 for a sentence query (it needs reasoning),
+1.0 when an ignore region sits next to the target, +2.0 for two target polygons (two instances or one cut in two).
That gives all three bands (easy < 3.5 <= medium < 5.0 <= hard) in every split. Deterministic: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

from wisebench.data.mini.draw import Obj

KIND_WORDS = {"kitchen": "a kitchen table", "street": "a street", "desk": "a desk", "living": "a living room"}
IGNORE_WORDS = {
    "second": "a second, half-hidden one behind it is not what is meant",
    "reflection": "its reflection on the glossy surface is not the object itself",
    "attachment": "the thing resting on it is a separate object",
}


@dataclass(frozen=True)
class SceneFacts:
    """What the references talk about, read off the drawn scene."""

    kind: str
    query: str
    category: str
    color: str | None
    places: tuple[str, ...]  # where each target instance is ("left middle", ...)
    others: tuple[str, ...]  # the other categories drawn, sorted, without the target's
    mode: str  # "single" | "plural" | "split"
    ignore: str | None
    sentence: bool


def difficulty(sentence: bool, mode: str, ignore: str | None) -> float:
    return 2.0 + (1.5 if sentence else 0.0) + (1.0 if ignore else 0.0) + (2.0 if mode != "single" else 0.0)


def place_of(obj: Obj, width: int, height: int) -> str:
    """The object's centre in thirds of the image: "upper left", "centre", "lower right", ..."""
    x0, y0, x1, y1 = obj.bounds()
    column = ("left", "middle", "right")[min(2, int(3 * (x0 + x1) / 2 / width))]
    row = ("upper", "middle", "lower")[min(2, int(3 * (y0 + y1) / 2 / height))]
    return "centre" if row == column == "middle" else f"{row} {column}".replace("middle ", "").replace(" middle", "")


def scene_facts(kind: str, query: str, category: str, color: str | None, targets: list[Obj], everything: list[Obj],
                width: int, height: int, mode: str, ignore: str | None, sentence: bool) -> SceneFacts:
    others = sorted({obj.category for obj in everything if obj.category != category})
    return SceneFacts(kind, query, category, color, tuple(place_of(target, width, height) for target in targets),
                      tuple(others), mode, ignore, sentence)


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def _named(facts: SceneFacts) -> str:
    colored = f"{facts.color} {facts.category}" if facts.color else facts.category
    if facts.mode == "plural":
        return f"the two {facts.category}s, at the {' and the '.join(facts.places)}"
    return f"the {colored} at the {facts.places[0]}"


def short_reference(facts: SceneFacts) -> str:
    return f"The query asks for the {facts.category}; the target is {_named(facts)}."


def long_reference(facts: SceneFacts) -> str:
    others = ", ".join(_article(name) for name in facts.others) or "nothing else"
    purpose = "describes what the object is used for" if facts.sentence else "names the object directly"
    sentences = [
        f"The image shows {KIND_WORDS[facts.kind]} with {others} besides the {facts.category}.",
        f"The query \"{facts.query}\" {purpose}, which points to the {facts.category}.",
        f"None of the other things ({', '.join(facts.others) or 'none'}) fits the query as well.",
        f"So the target is {_named(facts)}.",
    ]
    if facts.mode == "split":
        sentences.append(f"Something lies across the {facts.category}, so it shows as two parts that both belong to it.")
    if facts.ignore:
        sentences.append(f"Only the {facts.category} itself counts: {IGNORE_WORDS[facts.ignore]}.")
    return " ".join(sentences)


def side_entry(facts: SceneFacts) -> dict[str, object]:
    """One entry of ReasonSeg-Diff/<split>.json, in the field names the reasonseg-diff loader reads."""
    return {
        "difficulty": difficulty(facts.sentence, facts.mode, facts.ignore),
        "short_reasoning": short_reference(facts),
        "long_reasoning": long_reference(facts),
    }


__all__ = ["SceneFacts", "difficulty", "long_reference", "place_of", "scene_facts", "short_reference", "side_entry"]
