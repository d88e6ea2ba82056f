"""Check a list of answers against an instrument: count, type, range, skip logic."""

from collections.abc import Sequence

from clinical.errors import ClinicalError
from clinical.instruments.model import Instrument, Item

Answers = tuple[int | None, ...]


def validate_answers(instrument: Instrument, values: Sequence[object]) -> Answers:
    """Return the answers padded to one per item, or raise ClinicalError; never clamp."""
    _check_count(instrument, values)
    answers = tuple(values) + (None,) * (len(instrument.items) - len(values))
    checked = tuple(
        _check_value(instrument, pos, item, value)
        for pos, (item, value) in enumerate(zip(instrument.items, answers, strict=True), 1)
    )
    _check_skip_logic(instrument, checked)
    return checked


def is_enabled(instrument: Instrument, item: Item, answers: Answers) -> bool:
    """Return True when the item's skip logic lets it be asked given these answers."""
    return all(answers[instrument.position(cond.item_id)] == cond.answer for cond in item.enable_when)


def _check_count(instrument: Instrument, values: Sequence[object]) -> None:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ClinicalError(f"{instrument.name}: answers must be a list of integers.")
    counts = instrument.accepted_counts
    if len(values) not in counts:
        expected = " or ".join(str(n) for n in counts)
        raise ClinicalError(f"{instrument.name}: expected {expected} answers, got {len(values)}.")


def _check_value(instrument: Instrument, pos: int, item: Item, value: object) -> int | None:
    if value is None:
        return None
    where = f"{instrument.name}: answer {pos} ({item.id}, {item.label})"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClinicalError(f"{where} must be a whole number, got {value!r}.")
    allowed = {o.value for o in item.options}
    if value not in allowed:
        raise ClinicalError(f"{where} must be between {item.min_value} and {item.max_value}, got {value}.")
    return value


def _check_skip_logic(instrument: Instrument, answers: Answers) -> None:
    """Refuse an answer to an item the skip logic does not ask (CLINICAL.md s4, C-SSRS)."""
    for pos, item in enumerate(instrument.items, 1):
        if answers[pos - 1] is not None and not is_enabled(instrument, item, answers):
            conditions = " and ".join(
                f"{c.item_id} is {_answer_label(instrument, c.item_id, c.answer)}" for c in item.enable_when
            )
            raise ClinicalError(
                f"{instrument.name}: answer {pos} ({item.id}, {item.label}) must be blank: "
                f"it is asked only when {conditions}."
            )


def _answer_label(instrument: Instrument, item_id: str, value: int) -> str:
    item = instrument.items[instrument.position(item_id)]
    labels = [o.label for o in item.options if o.value == value]
    return labels[0] if labels else str(value)
