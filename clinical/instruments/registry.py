"""The instruments KetaCare ships, by id."""

from collections.abc import Mapping
from types import MappingProxyType

from clinical.errors import ClinicalError
from clinical.instruments.definitions.cadss import CADSS
from clinical.instruments.definitions.caps5 import CAPS5
from clinical.instruments.definitions.cssrs import CSSRS
from clinical.instruments.definitions.gad7 import GAD7
from clinical.instruments.definitions.iesr import IESR
from clinical.instruments.definitions.madrs import MADRS
from clinical.instruments.definitions.pcl5 import PCL5
from clinical.instruments.definitions.phq9 import PHQ9
from clinical.instruments.model import Instrument

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {i.id: i for i in (PCL5, PHQ9, GAD7, IESR, CSSRS, MADRS, CAPS5, CADSS)}
)


def get_instrument(instrument_id: str) -> Instrument:
    """Return the instrument with this id, or raise ClinicalError naming the known ids."""
    try:
        return INSTRUMENTS[instrument_id]
    except (KeyError, TypeError):
        known = ", ".join(INSTRUMENTS)
        raise ClinicalError(f"Unknown instrument {instrument_id!r}; known instruments: {known}.") from None
