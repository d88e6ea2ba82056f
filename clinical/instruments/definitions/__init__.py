"""One module per instrument; each exposes a single `Instrument` constant."""
