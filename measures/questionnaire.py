"""Turn an instrument into form items (radio groups) and read the answers back from a POST.

The same markup serves the patient's phone page and the staff entry page. Item text is the
imported official wording when the clinic has it (ADR 0006), else the project's own label.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clinical.instruments import Instrument


@dataclass(frozen=True)
class OptionView:
    value: int
    label: str
    checked: bool


@dataclass(frozen=True)
class ItemView:
    number: int
    id: str
    text: str
    label: str
    options: tuple[OptionView, ...]
    optional: bool
    enable_when: str  # "cssrs-2=1" for the page script; empty when always asked
    condition: str  # the same, in words
    error: str


def _condition(instrument: Instrument, item: Any) -> tuple[str, str]:
    if not item.enable_when:
        return "", ""
    data = ";".join(f"{c.item_id}={c.answer}" for c in item.enable_when)
    words = []
    for c in item.enable_when:
        other = instrument.items[instrument.position(c.item_id)]
        answer = next((o.label for o in other.options if o.value == c.answer), str(c.answer))
        words.append(f"question {instrument.position(c.item_id) + 1} was answered {answer}")
    return data, "Answer only if " + " and ".join(words) + "."


def item_views(
    instrument: Instrument, wording: Mapping[str, str] | None, values: Mapping[str, int | None],
    errors: Mapping[str, str] | None = None,
) -> list[ItemView]:
    """Return one view per item with its text, options, current answer and error."""
    views = []
    for number, item in enumerate(instrument.items, 1):
        enable, condition = _condition(instrument, item)
        chosen = values.get(item.id)
        views.append(ItemView(
            number=number, id=item.id, text=(wording or {}).get(item.id, item.label), label=item.label,
            options=tuple(OptionView(o.value, o.label, o.value == chosen) for o in item.options),
            optional=not item.required, enable_when=enable, condition=condition,
            error=(errors or {}).get(item.id, ""),
        ))
    return views


def parse_answers(instrument: Instrument, data: Mapping[str, Any]) -> tuple[list[int | None], dict[str, str]]:
    """Read one answer per item from form data; blank is missing. Ranges are the kernel's to check."""
    answers: list[int | None] = []
    errors: dict[str, str] = {}
    for number, item in enumerate(instrument.items, 1):
        raw = str(data.get(item.id, "")).strip()
        if not raw:
            answers.append(None)
        elif raw.lstrip("-").isdigit() and len(raw) < 4:
            answers.append(int(raw))
        else:
            answers.append(None)
            errors[item.id] = f"Question {number}: choose one of the answers shown."
    return answers, errors


def values_by_id(instrument: Instrument, answers: list[int | None]) -> dict[str, int | None]:
    return {item.id: answers[i] if i < len(answers) else None for i, item in enumerate(instrument.items)}
