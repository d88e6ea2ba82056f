"""Row -> FHIR R4 resource dicts, one module per resource family; `emit` validates them."""
