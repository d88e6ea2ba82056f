"""HL7 v2: filing service, MLLP listener and commands (the pure parser is clinical/hl7)."""
